import type { Cluster } from "../../tools/harness/pg.ts";
import type { Receiver } from "../../tools/harness/receiver.ts";

/** Sizes of one bench session: the full figures of issue 8, or `--quick` smoke sizes. */
export interface Sizes {
  runs: number;
  acceptSeconds: number;
  acceptConnections: number;
  latencyRate: number;
  latencySeconds: number;
  /** Applies drained by deskgate (10 000 takes ~5 min a run here; see README). */
  drainJobs: number;
  /** No-op jobs drained by raw pg-boss. */
  floorDrainJobs: number;
  rateLimitN: number;
  rateLimitSeconds: number;
  scaleWorkers: number[];
  /** Applies of the long-jobs figure (60-s desktop jobs at R = 20 req/s: ~8 min for 1 000). */
  longJobs: number;
}

export const FULL: Sizes = {
  runs: 3,
  acceptSeconds: 10,
  acceptConnections: 50,
  latencyRate: 200,
  latencySeconds: 30,
  drainJobs: 2_000,
  floorDrainJobs: 10_000,
  rateLimitN: 20,
  rateLimitSeconds: 15,
  scaleWorkers: [1, 2, 4],
  longJobs: 1_000,
};

export const QUICK: Sizes = {
  runs: 3,
  acceptSeconds: 2,
  acceptConnections: 50,
  latencyRate: 50,
  latencySeconds: 5,
  drainJobs: 200,
  floorDrainJobs: 2_000,
  rateLimitN: 20,
  rateLimitSeconds: 4,
  scaleWorkers: [1, 2, 4],
  longJobs: 100,
};

export interface Ctx {
  /** A fresh database for a deskgate run (migrated, queues created). */
  deskgateDatabase(label: string): Promise<string>;
  sizes: Sizes;
  cluster: Cluster;
  receiver: Receiver;
  /** Simulator job phase (ms). */
  jobPhaseMs: number;
}

import type { Database, PgBoss } from "@deskgate/db";
import type { Logger, Metrics, SecretBox } from "@deskgate/runtime";
import type { DesktopPlatform, HpcPlatform } from "@deskgate/upstream";
import type { Deliverer, DeliveryAttemptResult } from "@deskgate/webhooks";
import type { ParkContext } from "./platform-job.ts";
import type { TaskWrites } from "./writes.ts";

/** Everything a job handler may use, injected at main.ts (tests pass their own). */
export interface WorkerDeps {
  database: Database;
  boss: PgBoss;
  platform: DesktopPlatform;
  hpc: HpcPlatform;
  deliverer: Deliverer;
  box: SecretBox;
  logger: Logger;
  /**
   * The global Standard Webhooks secrets (DESKGATE_WEBHOOK_SECRET or the stored dev secret),
   * newest first: they sign callbacks of tasks whose API key has no signing secret of its own.
   */
  webhookSecrets(): Promise<string[]>;
  settings: {
    pollIntervalMs: number;
    jobTimeoutMs: number;
    concurrency: number;
    /** DESKGATE_DEFAULT_PASSWORD: what pwd-reset sets for `password: ""`. Unset = refuse. */
    defaultPassword?: string;
    /** Cron of the reconcile job (default every 10 minutes); null = not scheduled by this worker. */
    reconcileCron?: string | null;
    /** Leases: the notice this long before the end (default 3 days), the delete this long after it (7 days). */
    leaseNoticeMs?: number;
    leaseGraceMs?: number;
    /** Cron of the lease sweep (default every minute); null = not scheduled by this worker. */
    leaseCron?: string | null;
  };
  /**
   * Seconds before the next callback attempt, or null to stop (default: `nextRetryDelaySec`,
   * RELIABILITY.md 2). Tests inject a shortened schedule here.
   */
  callbackRetryDelaySec?: (attemptsMade: number, last: DeliveryAttemptResult) => number | null;
  /** Unix time for webhook timestamps (default: the system clock). */
  now?: () => Date;
  /** The lease sweep's clock: what is due, and which leases have ended (default: the system clock; tests move it). */
  leaseClock?: () => Date;
  /** Prometheus metrics (task durations, callback attempts, upstream calls); none when absent. */
  metrics?: Metrics;
  /** Within a task run: its held-back bookkeeping writes (`heldWrites`); absent elsewhere. */
  writes?: TaskWrites;
  /**
   * Within a task run that may park on a platform job (not its rollback): the task's current
   * wait. Absent: platform jobs are polled in place.
   */
  parking?: ParkContext;
  /** This process's wait watcher (told when a task parks, so it looks sooner). */
  waitWatcher?: { nudge(): void };
}

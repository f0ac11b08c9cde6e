import type { IamToken } from "./auth/index.ts";
import { Faults } from "./faults.ts";
import type { ResolvedOptions } from "./options.ts";
import { mulberry32, type Rng } from "./random.ts";
import { Scheduler } from "./scheduler.ts";
import { createState, type SimState } from "./state.ts";

export interface Stats {
  requests: number;
  by_route: Record<string, number>;
  throttled: number;
  faults_injected: number;
  /** Requests refused by the gateway's auth check (401 APIGW.0301). */
  auth_rejected: number;
  iam_tokens_issued: number;
}

/** What every route handler shares. `state` is replaced on reset, so read it per request. */
export interface SimContext {
  options: ResolvedOptions;
  state: SimState;
  faults: Faults;
  scheduler: Scheduler;
  stats: Stats;
  jitter: Rng;
  /** IAM tokens issued; like real IAM tokens they outlive a platform reset. */
  iamTokens: Map<string, IamToken>;
}

export function createContext(options: ResolvedOptions): SimContext {
  return {
    options,
    state: createState(),
    faults: new Faults(options.seed),
    scheduler: new Scheduler(),
    stats: emptyStats(),
    jitter: jitterRng(options.seed),
    iamTokens: new Map(),
  };
}

/** Back to the seeded state: timers cancelled, faults cleared, counters zeroed. */
export function resetContext(ctx: SimContext): void {
  ctx.scheduler.clear();
  ctx.state = createState();
  ctx.faults.clear();
  ctx.stats = emptyStats();
  ctx.jitter = jitterRng(ctx.options.seed);
}

/** One job phase: `jobPhaseMs` ±20 %, drawn from a PRNG of its own so faults stay repeatable. */
export function phaseMs(ctx: SimContext): number {
  return Math.max(1, Math.round(ctx.options.jobPhaseMs * (0.8 + 0.4 * ctx.jitter.next())));
}

function emptyStats(): Stats {
  return {
    requests: 0,
    by_route: {},
    throttled: 0,
    faults_injected: 0,
    auth_rejected: 0,
    iam_tokens_issued: 0,
  };
}

function jitterRng(seed: number): Rng {
  return mulberry32((seed ^ 0x9e3779b9) >>> 0);
}

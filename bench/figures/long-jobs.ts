import { deskgateEnv, startApi, startSim, startWorkers } from "../../tools/harness/deskgate.ts";
import { log } from "../../tools/harness/time.ts";
import { collect } from "../lib/callbacks.ts";
import type { Ctx } from "../lib/context.ts";
import { burst } from "../lib/load.ts";
import { ratio, round } from "../lib/stats.ts";

/** Upstream calls of one apply of a new group user, without polls (bench/floors/apply-drain.ts). */
export const CALLS_PER_APPLY = 8;
/** The simulator's desktop job: two phases (WAITING → RUNNING → SUCCESS) of 30 s. */
const JOB_SECONDS = 60;
const RATE = 20;

/**
 * Figure 7: `longJobs` applies against a simulator whose desktop job takes 60 s, the platform
 * limited to R = 20 req/s (429 above it) and the worker's client to the same R, one worker at
 * the default concurrency and poll interval. Floor: the time the platform itself needs,
 * 60 s + calls per apply × N / R. Measured from the worker's start (the backlog is accepted
 * first, the api stopped) to the last callback; worker RSS sampled every second.
 */
export async function longJobsFigure(ctx: Ctx) {
  const n = ctx.sizes.longJobs;
  const sim = await startSim(JOB_SECONDS * 500);
  try {
    const db = await ctx.deskgateDatabase("longjobs");
    const env = deskgateEnv(db, sim.url, {
      DESKGATE_VDI_RATE_PER_SEC: String(RATE),
      DESKGATE_VDI_POLL_INTERVAL_MS: "5000",
      DESKGATE_VDI_JOB_TIMEOUT_MS: String(30 * 60_000),
    });
    ctx.receiver.reset();
    const api = await startApi(env);
    const queued = await burst(api.url, ctx.receiver.url, n, 20);
    await api.proc.stop();
    await sim.faults({ rate_limit_per_s: RATE });
    const before = await sim.stats();
    const floorS = JOB_SECONDS + (CALLS_PER_APPLY * n) / RATE;
    const started = performance.now();
    const [worker] = await startWorkers(env, 1);
    let rssMax = 0;
    const sampler = setInterval(() => {
      rssMax = Math.max(rssMax, worker!.rssMiB());
    }, 1000);
    const got = await collect(ctx.receiver, queued.sent, Math.round(floorS * 3 * 1000));
    clearInterval(sampler);
    rssMax = Math.max(rssMax, worker!.rssMiB());
    const after = await sim.stats();
    await worker!.stop();
    const elapsedS = round((got.last - started) / 1000, 1);
    const r = ratio(elapsedS, floorS);
    log(`long jobs: ${n} applies in ${elapsedS} s (floor ${floorS} s), worker RSS ≤ ${rssMax} MiB`);
    return {
      applies: n,
      sim_desktop_job_s: JOB_SECONDS,
      upstream_limit_per_s: RATE,
      floor_s: floorS,
      elapsed_s: elapsedS,
      ratio_to_floor: r,
      upstream_calls_per_apply: round((after.requests - before.requests) / n, 2),
      sim_throttled_429s: after.throttled - before.throttled,
      worker_rss_max_mib: rssMax,
      failed: got.failed + queued.failed,
      missing: got.missing,
      failures: got.failures,
      target: "all callbacks within 1.2 × floor, one worker, default concurrency, worker RSS < 150 MiB",
      met: r <= 1.2 && got.failed + queued.failed + got.missing === 0 && rssMax < 150,
    };
  } finally {
    await sim.proc.stop();
  }
}

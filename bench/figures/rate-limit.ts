import { deskgateEnv, type Sim, startApi, startWorkers } from "../../tools/harness/deskgate.ts";
import { log, sleep } from "../../tools/harness/time.ts";
import { collect } from "../lib/callbacks.ts";
import type { Ctx } from "../lib/context.ts";
import { burst } from "../lib/load.ts";
import { minMedian, ratio, round } from "../lib/stats.ts";

/**
 * Figure 4: the simulator limited to N req/s and the worker's client limit set to N. A backlog
 * of applies keeps the worker busy; achieved upstream req/s is the median of 1-second deltas
 * of the simulator's request count while the backlog lasts (first second skipped).
 */
export async function rateLimitFigure(ctx: Ctx, sim: Sim) {
  const n = ctx.sizes.rateLimitN;
  const achieved: number[] = [];
  let throttled = 0;
  let failed = 0;
  let missing = 0;
  const failures: Record<string, number> = {};
  for (let run = 1; run <= ctx.sizes.runs; run++) {
    await sim.reset();
    await sim.faults({ rate_limit_per_s: n });
    ctx.receiver.reset();
    const db = await ctx.deskgateDatabase("ratelimit");
    const env = deskgateEnv(db, sim.url, { DESKGATE_VDI_RATE_PER_SEC: String(n) });
    const api = await startApi(env);
    // ~8 upstream calls an apply: enough work for the measuring window and a bit more
    const applies = Math.ceil((n * (ctx.sizes.rateLimitSeconds + 2)) / 6);
    const queued = await burst(api.url, ctx.receiver.url, applies, 20);
    const [worker] = await startWorkers(env, 1);
    const before = await sim.stats();
    const samples: number[] = [before.requests];
    const deadline = performance.now() + (ctx.sizes.rateLimitSeconds + 60) * 1000;
    while (performance.now() < deadline && ctx.receiver.arrivals.size < queued.sent.length) {
      await sleep(1000);
      samples.push((await sim.stats()).requests);
    }
    const deltas = samples.slice(1).map((v, i) => v - samples[i]!);
    const busy = deltas.slice(1, -1); // skip the ramp-up second and the partial last one
    achieved.push(minMedian(busy.length ? busy : deltas).median);
    const got = await collect(ctx.receiver, queued.sent, 10_000);
    const after = await sim.stats();
    throttled += after.throttled - before.throttled;
    failed += got.failed + queued.failed;
    missing += got.missing;
    for (const [k, v] of Object.entries(got.failures)) failures[k] = (failures[k] ?? 0) + v;
    await Promise.all([api.proc.stop(), worker!.stop()]);
    log(
      `rate limit run ${run}: ${achieved.at(-1)} req/s of ${n} over ${busy.length} s; throttled ${after.throttled}`,
    );
  }
  const a = minMedian(achieved);
  const r = ratio(a.median, n);
  return {
    limit_per_s: n,
    achieved_per_s: a,
    ratio: r,
    sim_throttled_429s: throttled,
    failed_callbacks: failed,
    missing_callbacks: missing,
    failures,
    target: "≥ 0.90 of N and zero rate-limit failures to callers",
    met: r >= 0.9 && failed === 0 && missing === 0,
    note: `${round(a.median, 1)} req/s achieved`,
  };
}

import { deskgateEnv, type Sim, startApi, startWorkers } from "../../tools/harness/deskgate.ts";
import { log } from "../../tools/harness/time.ts";
import { collect } from "../lib/callbacks.ts";
import type { Ctx } from "../lib/context.ts";
import { fairApplyDrain, floorDrain } from "../lib/floors.ts";
import { burst } from "../lib/load.ts";
import { minMedian, ratio, round } from "../lib/stats.ts";

export interface DrainShot {
  jobsPerSec: number;
  spawnToLastMs: number;
  enqueuePerSec: number;
  callbacks: number;
  failed: number;
  missing: number;
}

/**
 * One drain: `jobs` applies enqueued through the api (50 connections) with no worker running,
 * the api stopped, then `workers` worker processes started; jobs/s = callbacks between the
 * first and the last arrival.
 */
export async function drainOnce(ctx: Ctx, sim: Sim, workers: number): Promise<DrainShot> {
  const jobs = ctx.sizes.drainJobs;
  await sim.reset();
  ctx.receiver.reset();
  const db = await ctx.deskgateDatabase(`drain_${workers}w`);
  const env = deskgateEnv(db, sim.url);
  const api = await startApi(env);
  const queued = await burst(api.url, ctx.receiver.url, jobs, 50);
  await api.proc.stop();
  const spawnedAt = performance.now();
  const procs = await startWorkers(env, workers);
  const got = await collect(ctx.receiver, queued.sent, Math.max(60_000, jobs * 60));
  await Promise.all(procs.map((p) => p.stop()));
  const arrivals = queued.sent.map((s) => ctx.receiver.arrivals.get(s.taskId)?.at ?? 0).filter((t) => t > 0);
  const first = arrivals.length ? Math.min(...arrivals) : Number.NaN;
  const span = arrivals.length > 1 ? got.last - first : Number.NaN;
  return {
    jobsPerSec: round(((arrivals.length - 1) / span) * 1000, 0),
    spawnToLastMs: arrivals.length ? round(got.last - spawnedAt, 0) : Number.NaN,
    enqueuePerSec: round((queued.sent.length / queued.ms) * 1000, 0),
    callbacks: arrivals.length,
    failed: got.failed + queued.failed,
    missing: got.missing,
  };
}

export function summarise(list: DrainShot[]) {
  return {
    jobs_per_s: minMedian(list.map((s) => s.jobsPerSec)),
    spawn_to_last_ms: minMedian(list.map((s) => s.spawnToLastMs)),
    enqueue_per_s: minMedian(list.map((s) => s.enqueuePerSec)),
    failed: list.reduce((a, s) => a + s.failed, 0),
    missing: list.reduce((a, s) => a + s.missing, 0),
  };
}

/**
 * Figure 3: drain of a backlog by one worker vs raw pg-boss in its best shape (no-op jobs),
 * and vs the fair floor: a pg-boss worker making the same upstream calls to the same
 * simulator, plus one callback, with no bookkeeping (bench/floors/apply-drain.ts).
 */
export async function drainFigure(ctx: Ctx, sim: Sim) {
  const dg: DrainShot[] = [];
  const floor: { jobsPerSec: number; ms: number }[] = [];
  const fair: { jobsPerSec: number; ms: number }[] = [];
  for (let run = 1; run <= ctx.sizes.runs; run++) {
    floor.push(await floorDrain(await ctx.cluster.freshDatabase("drain_floor"), ctx.sizes.floorDrainJobs));
    await sim.reset();
    ctx.receiver.reset();
    const fairEnv = deskgateEnv(await ctx.cluster.freshDatabase("drain_fair"), sim.url);
    fair.push(await fairApplyDrain(fairEnv, ctx.receiver.url, ctx.sizes.drainJobs));
    dg.push(await drainOnce(ctx, sim, 1));
    log(
      `drain run ${run}: deskgate ${dg.at(-1)!.jobsPerSec} jobs/s (failed ${dg.at(-1)!.failed}, missing ${dg.at(-1)!.missing}); fair floor ${fair.at(-1)!.jobsPerSec} jobs/s; raw pg-boss ${floor.at(-1)!.jobsPerSec} jobs/s`,
    );
  }
  const deskgate = summarise(dg);
  const raw = { jobs_per_s: minMedian(floor.map((f) => f.jobsPerSec)) };
  const fairFloor = { jobs_per_s: minMedian(fair.map((f) => f.jobsPerSec)) };
  const r = ratio(deskgate.jobs_per_s.median, raw.jobs_per_s.median);
  const rFair = ratio(deskgate.jobs_per_s.median, fairFloor.jobs_per_s.median);
  return {
    result: {
      jobs: ctx.sizes.drainJobs,
      enqueued: "through the api (POST /api/desktop/apply, 50 connections), worker stopped",
      deskgate,
      floor_raw_pgboss: { ...raw, jobs: ctx.sizes.floorDrainJobs },
      ratio: r,
      target: "≥ 0.30 of raw pg-boss jobs/s",
      met: r >= 0.3 && deskgate.missing === 0,
      fair_floor: { ...fairFloor, jobs: ctx.sizes.drainJobs },
      ratio_to_fair: rFair,
      fair_target: "≥ 0.5 of the fair floor",
      fair_met: rFair >= 0.5 && deskgate.missing === 0,
    },
    oneWorker: dg,
  };
}

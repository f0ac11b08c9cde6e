import { deskgateEnv, type Sim, startApi, startWorkers } from "../../tools/harness/deskgate.ts";
import { log } from "../../tools/harness/time.ts";
import { collect } from "../lib/callbacks.ts";
import type { Ctx } from "../lib/context.ts";
import { freePortUrl, startFloorServer, startFloorWorker } from "../lib/floors.ts";
import { steadyLoad } from "../lib/load.ts";
import { latencySummary, minMedian, ratio } from "../lib/stats.ts";

interface Shot {
  p50: number;
  p99: number;
  acked: number;
  callbacks: number;
  failed: number;
  missing: number;
  rss: Record<string, number>;
}

async function measure(ctx: Ctx, apiUrl: string, rss: () => Record<string, number>): Promise<Shot> {
  ctx.receiver.reset();
  const { sizes } = ctx;
  const load = await steadyLoad(apiUrl, ctx.receiver.url, sizes.latencyRate, sizes.latencySeconds);
  const got = await collect(ctx.receiver, load.sent, 20_000);
  const lat = latencySummary(got.latencies);
  return {
    p50: lat.p50,
    p99: lat.p99,
    acked: load.sent.length,
    callbacks: got.latencies.length,
    failed: got.failed + load.failed,
    missing: got.missing,
    rss: rss(),
  };
}

/** Figures 2 and 5: accept → callback latency at a steady rate, and RSS at its end. */
export async function latencyFigure(ctx: Ctx, sim: Sim) {
  const shots: Record<"deskgate" | "floor", Shot[]> = { deskgate: [], floor: [] };
  for (let run = 1; run <= ctx.sizes.runs; run++) {
    {
      const db = await ctx.cluster.freshDatabase("latency_floor");
      const server = await startFloorServer("d", db, await freePortUrl());
      const worker = await startFloorWorker(db, ctx.receiver.url);
      shots.floor.push(
        await measure(ctx, server.url, () => ({ api: server.proc.rssMiB(), worker: worker.rssMiB() })),
      );
      await Promise.all([server.proc.stop(), worker.stop()]);
    }
    {
      await sim.reset();
      const db = await ctx.deskgateDatabase("latency_dg");
      const env = deskgateEnv(db, sim.url);
      const api = await startApi(env);
      const [worker] = await startWorkers(env, 1);
      shots.deskgate.push(
        await measure(ctx, api.url, () => ({ api: api.proc.rssMiB(), worker: worker!.rssMiB() })),
      );
      await Promise.all([api.proc.stop(), worker!.stop()]);
    }
    const [d, f] = [shots.deskgate.at(-1)!, shots.floor.at(-1)!];
    log(
      `latency run ${run}: deskgate p50 ${d.p50} p99 ${d.p99} (failed ${d.failed}, missing ${d.missing}); floor p50 ${f.p50} p99 ${f.p99}`,
    );
  }
  const summary = (list: Shot[]) => ({
    p50_ms: minMedian(list.map((s) => s.p50)),
    p99_ms: minMedian(list.map((s) => s.p99)),
    acked: list.map((s) => s.acked),
    callbacks: list.map((s) => s.callbacks),
    failed: list.reduce((a, s) => a + s.failed, 0),
    missing: list.reduce((a, s) => a + s.missing, 0),
  });
  const deskgate = summary(shots.deskgate);
  const floor = summary(shots.floor);
  const p50Ratio = ratio(deskgate.p50_ms.median, floor.p50_ms.median);
  const rssOf = (list: Shot[], name: string) => minMedian(list.map((s) => s.rss[name] ?? Number.NaN));
  const memory = {
    deskgate_api_mib: rssOf(shots.deskgate, "api"),
    deskgate_worker_mib: rssOf(shots.deskgate, "worker"),
    floor_server_mib: rssOf(shots.floor, "api"),
    floor_worker_mib: rssOf(shots.floor, "worker"),
  };
  const apiMax = Math.max(...memory.deskgate_api_mib.runs);
  const workerMax = Math.max(...memory.deskgate_worker_mib.runs);
  return {
    latency: {
      rate_per_s: ctx.sizes.latencyRate,
      seconds: ctx.sizes.latencySeconds,
      deskgate,
      floor,
      p50_ratio: p50Ratio,
      p99_ratio: ratio(deskgate.p99_ms.median, floor.p99_ms.median),
      target: "p50 ≤ 2× floor p50 and p99 < 80 ms",
      met: p50Ratio <= 2 && deskgate.p99_ms.median < 80 && deskgate.missing === 0,
    },
    memory: {
      ...memory,
      api_ratio: ratio(memory.deskgate_api_mib.median, memory.floor_server_mib.median),
      worker_ratio: ratio(memory.deskgate_worker_mib.median, memory.floor_worker_mib.median),
      target: "< 150 MB each (api and worker)",
      met: apiMax * 1.048576 < 150 && workerMax * 1.048576 < 150,
    },
  };
}

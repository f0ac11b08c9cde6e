import autocannon from "autocannon";
import { authHeaders, deskgateEnv, startApi } from "../../tools/harness/deskgate.ts";
import { log } from "../../tools/harness/time.ts";
import type { Ctx } from "../lib/context.ts";
import { freePortUrl, startFloorServer } from "../lib/floors.ts";
import { applyBody } from "../lib/load.ts";
import { minMedian, ratio, round } from "../lib/stats.ts";

interface Shot {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function cannon(ctx: Ctx, url: string): Promise<Shot> {
  const result = await autocannon({
    url,
    connections: ctx.sizes.acceptConnections,
    duration: ctx.sizes.acceptSeconds,
    requests: [
      {
        method: "POST",
        path: "/api/desktop/apply",
        setupRequest: (req) => ({
          ...req,
          headers: { ...authHeaders(), "idempotency-key": crypto.randomUUID() },
          body: applyBody(ctx.receiver.url),
        }),
      },
    ],
  });
  return {
    rps: round(result.requests.average, 0),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** Figure 1: accept throughput of deskgate's api vs floors (c) and (d), interleaved per run. */
export async function acceptFigure(ctx: Ctx, simUrl: string) {
  const shots: Record<"deskgate" | "c" | "d", Shot[]> = { deskgate: [], c: [], d: [] };
  for (let run = 1; run <= ctx.sizes.runs; run++) {
    for (const mode of ["c", "d"] as const) {
      const db = await ctx.cluster.freshDatabase(`accept_${mode}`);
      const floor = await startFloorServer(mode, db, await freePortUrl());
      shots[mode].push(await cannon(ctx, floor.url));
      await floor.proc.stop();
    }
    const db = await ctx.deskgateDatabase("accept_dg");
    const api = await startApi(deskgateEnv(db, simUrl)); // no worker: the api alone is measured
    shots.deskgate.push(await cannon(ctx, api.url));
    await api.proc.stop();
    log(
      `accept run ${run}: deskgate ${shots.deskgate.at(-1)!.rps}/s, c ${shots.c.at(-1)!.rps}/s, d ${shots.d.at(-1)!.rps}/s`,
    );
  }
  const summary = (list: Shot[]) => ({
    rps: minMedian(list.map((s) => s.rps)),
    p50_ms: minMedian(list.map((s) => s.p50)),
    p99_ms: minMedian(list.map((s) => s.p99)),
    non2xx: list.reduce((a, s) => a + s.non2xx, 0),
    errors: list.reduce((a, s) => a + s.errors, 0),
  });
  const deskgate = summary(shots.deskgate);
  const c = summary(shots.c);
  const d = summary(shots.d);
  const ratioC = ratio(deskgate.rps.median, c.rps.median);
  return {
    deskgate,
    floor_c: c,
    floor_d: d,
    ratio_to_c: ratioC,
    ratio_to_d: ratio(deskgate.rps.median, d.rps.median),
    target: "≥ 0.50 of (c) req/s",
    met: ratioC >= 0.5 && deskgate.non2xx === 0,
  };
}

import type { Sim } from "../../tools/harness/deskgate.ts";
import { log } from "../../tools/harness/time.ts";
import type { Ctx } from "../lib/context.ts";
import { ratio } from "../lib/stats.ts";
import { type DrainShot, drainOnce, summarise } from "./drain.ts";

/** Figure 6: the drain with 1, 2 and 4 worker processes (1 reuses figure 3's runs). */
export async function scaleFigure(ctx: Ctx, sim: Sim, oneWorker: DrainShot[], runs: number) {
  const rows: Record<string, ReturnType<typeof summarise> & { speedup_vs_1: number }> = {};
  const base = summarise(oneWorker);
  for (const workers of ctx.sizes.scaleWorkers) {
    const shots = workers === 1 ? oneWorker : [];
    for (let run = 1; workers !== 1 && run <= runs; run++) {
      shots.push(await drainOnce(ctx, sim, workers));
      log(`scale ${workers} workers run ${run}: ${shots.at(-1)!.jobsPerSec} jobs/s`);
    }
    const s = summarise(shots);
    rows[`${workers}`] = { ...s, speedup_vs_1: ratio(s.jobs_per_s.median, base.jobs_per_s.median) };
  }
  return rows;
}

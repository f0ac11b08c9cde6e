import { applyAndSettle } from "./lib/applies.ts";
import { type Drill, expectations } from "./lib/context.ts";
import { startStack } from "./lib/stack.ts";

const APPLIES = 20;
const LIMIT_PER_S = 10;

/**
 * Drill 5: the platform allows 10 requests a second and answers 429 beyond, while deskgate's
 * own client-side limit is off (so it meets the 429s). No task may fail for it: it only slows.
 */
export const rateLimitDrill: Drill = {
  name: "rate-limit",
  async run(ctx) {
    const stack = await startStack(ctx, "rate-limit", { env: { DESKGATE_VDI_RATE_PER_SEC: "0" } });
    try {
      await ctx.sim.faults({ rate_limit_per_s: LIMIT_PER_S });
      const run = await applyAndSettle(ctx, stack, APPLIES, { concurrency: 10, settleMs: 150_000 });
      const stats = await ctx.sim.stats();
      const failed = run.rows.filter((r) => r.state !== "succeeded");
      const figures = {
        ...run.figures,
        throttled_429: stats.throttled,
        upstream_per_s: Math.round((stats.requests / run.seconds) * 10) / 10,
        seconds: Math.round(run.seconds),
      };
      const { problems, expect } = expectations();
      expect(
        run.acked.length === APPLIES,
        `${run.acked.length}/${APPLIES} acknowledged: ${run.tally.samples}`,
      );
      expect(failed.length === 0, `${failed.length} tasks did not succeed: ${failed[0]?.error}`);
      expect(stats.throttled > 0, "the simulator throttled nothing: was the limit hit?");
      expect(figures.lost === 0, `${figures.lost} tasks lost (${run.missing} callbacks missing)`);
      expect(figures.orphaned === 0, `orphans upstream: ${run.orphans.join(", ")}`);
      expect(figures.duplicated === 0, `${figures.duplicated} duplicates`);
      expect(figures["5xx"] === 0, `${figures["5xx"]} answers 5xx`);
      return {
        load: `${APPLIES} applies, upstream limited to ${LIMIT_PER_S} req/s (429)`,
        figures,
        problems,
      };
    } finally {
      await ctx.sim.faults({});
      await stack.stop();
    }
  },
};

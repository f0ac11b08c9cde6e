import { log, waitUntil } from "../tools/harness/time.ts";
import {
  callbackFigures,
  countLost,
  snapshot,
  upstreamFigures,
  waitCallbacks,
  waitTerminal,
} from "./lib/checks.ts";
import { type Drill, expectations } from "./lib/context.ts";
import { applyBody, call, lanes, Tally } from "./lib/http.ts";
import { startStack } from "./lib/stack.ts";

const APPLIES = 200;
/** The worker is killed when this share of the callbacks has arrived, and replaced at once. */
const KILL_AT = [0.15, 0.4, 0.65];

/** Drill 1: `kill -9` of the worker, three times, in the middle of 200 applies. */
export const kill9Drill: Drill = {
  name: "kill9",
  async run(ctx) {
    const stack = await startStack(ctx, "kill9");
    try {
      const before = await snapshot(ctx.sim);
      const tally = new Tally();
      const acked: string[] = [];
      const api = stack.apis[0]!.url;
      await lanes(APPLIES, 20, async () => {
        const answer = await call(tally, api, "POST", "/api/desktop/apply", {
          body: applyBody(`${ctx.receiver.url}/callbacks`),
        });
        if (answer.status === 200) acked.push(answer.json.data.task_id);
      });
      let kills = 0;
      for (const share of KILL_AT) {
        await waitUntil(
          `${share * 100} % of the callbacks`,
          () => ctx.receiver.arrivals.size >= share * APPLIES,
          120_000,
          20,
        );
        const victim = await stack.kill9Worker();
        kills++;
        log(`kill9: killed ${victim.name} at ${ctx.receiver.arrivals.size} callbacks`);
        await stack.addWorker();
      }
      const missing = await waitCallbacks(ctx.receiver, acked, 120_000, stack);
      const rows = await waitTerminal(stack.sql, acked, 10_000, stack);
      const upstream = await upstreamFigures(ctx, before, stack.sql);
      const callbacks = callbackFigures(ctx.receiver, new Set(acked));
      const failedTasks = rows.filter((r) => r.state !== "succeeded");
      const resumed = rows.filter((r) => r.attempts > 1).length;
      const figures = {
        lost: countLost(acked, rows, ctx.receiver),
        duplicated: upstream.duplicated + callbacks.duplicated,
        orphaned: upstream.orphaned,
        "5xx": tally.fiveXx,
        kills,
        resumed,
        failed: failedTasks.length,
        redelivered: callbacks.redelivered,
      };
      const { problems, expect } = expectations();
      expect(acked.length === APPLIES, `${acked.length}/${APPLIES} applies acknowledged: ${tally.samples}`);
      expect(missing === 0, `${missing} callbacks missing`);
      expect(figures.lost === 0, `${figures.lost} tasks lost`);
      expect(figures.duplicated === 0, `${figures.duplicated} duplicates`);
      expect(figures.orphaned === 0, `orphans upstream: ${upstream.orphans.join(", ")}`);
      expect(figures["5xx"] === 0, `${figures["5xx"]} answers 5xx`);
      expect(
        failedTasks.length === 0,
        `${failedTasks.length} tasks failed: ${failedTasks
          .slice(0, 3)
          .map((t) => t.error)
          .join(" | ")}`,
      );
      expect(resumed > 0, "no task was resumed after a kill: the kills missed the work");
      expect(callbacks.unverified === 0, `${callbacks.unverified} callbacks failed signature verification`);
      return { load: `${APPLIES} applies, ${kills} × kill -9`, figures, problems };
    } finally {
      await stack.stop();
    }
  },
};

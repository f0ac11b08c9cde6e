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
import { madeBy, settleLifecycle, submitLifecycle } from "./lib/lifecycle.ts";
import { startStack } from "./lib/stack.ts";

const APPLIES = 200;
/** The worker is killed when this share of the callbacks has arrived, and replaced at once. */
const KILL_AT = [0.15, 0.4, 0.65];
/** Then lifecycle requests (power, rebuild, lock, delete, offboard in turn) on this many of the desktops. */
const LIFECYCLE = 100;
const LIFECYCLE_KILL_AT = [0.3, 0.6];

/**
 * Drill 1: `kill -9` of the worker, three times, in the middle of 200 applies; then twice more
 * in the middle of 100 lifecycle tasks (power, rebuild, lock, delete, offboard) on those desktops.
 */
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

      // phase 2: lifecycle tasks on the desktops just made, with two more kills
      const lifeTally = new Tally();
      const targets = madeBy(rows).slice(0, LIFECYCLE);
      const lifeAcked = await submitLifecycle(stack, lifeTally, targets, `${ctx.receiver.url}/callbacks`);
      const lifeIds = lifeAcked.map((t) => t.id);
      for (const share of LIFECYCLE_KILL_AT) {
        await waitUntil(
          `${share * 100} % of the lifecycle callbacks`,
          () => lifeIds.filter((id) => ctx.receiver.arrivals.has(id)).length >= share * lifeIds.length,
          120_000,
          20,
        );
        const victim = await stack.kill9Worker();
        kills++;
        log(`kill9: killed ${victim.name} during the lifecycle tasks`);
        await stack.addWorker();
      }
      const life = await settleLifecycle(ctx, stack, stack.sql, lifeAcked, 120_000);

      const failedTasks = [...rows, ...life.rows].filter((r) => r.state !== "succeeded");
      const resumed = rows.filter((r) => r.attempts > 1).length;
      const lifeResumed = life.rows.filter((r) => r.attempts > 1).length;
      const figures = {
        lost: countLost(acked, rows, ctx.receiver) + life.figures.lost,
        duplicated: upstream.duplicated + callbacks.duplicated + life.figures.duplicated,
        orphaned: upstream.orphaned + life.figures.orphaned,
        "5xx": tally.fiveXx + lifeTally.fiveXx,
        kills,
        resumed,
        lifecycle_tasks: lifeAcked.length,
        lifecycle_resumed: lifeResumed,
        failed: failedTasks.length,
        redelivered: callbacks.redelivered,
      };
      const { problems, expect } = expectations();
      expect(acked.length === APPLIES, `${acked.length}/${APPLIES} applies acknowledged: ${tally.samples}`);
      expect(missing === 0, `${missing} callbacks missing`);
      expect(figures.lost === 0, `${figures.lost} tasks lost`);
      expect(figures.duplicated === 0, `${figures.duplicated} duplicates`);
      expect(
        lifeAcked.length === targets.length && targets.length === LIFECYCLE,
        `${lifeAcked.length}/${LIFECYCLE} lifecycle requests acknowledged: ${lifeTally.samples}`,
      );
      expect(life.missing === 0, `${life.missing} lifecycle callbacks missing`);
      expect(
        figures.orphaned === 0,
        `orphans: ${[...upstream.orphans, ...life.orphans].slice(0, 5).join(", ")}`,
      );
      expect(figures["5xx"] === 0, `${figures["5xx"]} answers 5xx`);
      expect(
        failedTasks.length === 0,
        `${failedTasks.length} tasks failed: ${failedTasks
          .slice(0, 3)
          .map((t) => t.error)
          .join(" | ")}`,
      );
      expect(resumed > 0, "no task was resumed after a kill: the kills missed the work");
      expect(
        callbacks.unverified + life.unverified === 0,
        `${callbacks.unverified + life.unverified} callbacks failed signature verification`,
      );
      return {
        load: `${APPLIES} applies + ${LIFECYCLE} lifecycle tasks (power, rebuild, lock, delete, offboard), ${kills} × kill -9`,
        figures,
        problems,
      };
    } finally {
      await stack.stop();
    }
  },
};

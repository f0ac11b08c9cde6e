import { log, sleep, waitUntil } from "../tools/harness/time.ts";
import { callbackFigures, countLost, waitCallbacks, waitTerminal } from "./lib/checks.ts";
import { type Drill, expectations } from "./lib/context.ts";
import { applyBody, call, lanes, Tally } from "./lib/http.ts";
import { startStack } from "./lib/stack.ts";

const APPLIES = 20;
/** The stack runs the callback schedule at × 0.002: an hour is 7.2 s. */
const HOUR_MS = 3600 * 1000 * 0.002;

/**
 * Drill 3: the callback receiver answers 503 to everything for "an hour" after the tasks
 * ended. When it is back, every callback arrives, each with the `webhook-id` of its first
 * (failed) attempt and of its delivery row.
 */
export const receiverDownDrill: Drill = {
  name: "receiver-down",
  async run(ctx) {
    const stack = await startStack(ctx, "receiver-down");
    try {
      const tally = new Tally();
      const acked: string[] = [];
      ctx.receiver.setDown(true);
      await lanes(APPLIES, 10, async () => {
        const answer = await call(tally, stack.apis[0]!.url, "POST", "/api/desktop/apply", {
          body: applyBody(`${ctx.receiver.url}/callbacks`),
        });
        if (answer.status === 200) acked.push(answer.json.data.task_id);
      });
      const firstId = new Map<string, string>();
      await waitUntil(
        "a refused first attempt for every task",
        () => {
          for (const d of ctx.receiver.deliveries)
            if (d.taskId && !firstId.has(d.taskId)) firstId.set(d.taskId, d.webhookId);
          return acked.every((id) => firstId.has(id));
        },
        60_000,
        100,
      );
      await sleep(HOUR_MS);
      const refused = ctx.receiver.deliveries.length;
      ctx.receiver.setDown(false);
      log(`receiver-down: receiver back after ${refused} refused attempts`);
      const missing = await waitCallbacks(ctx.receiver, acked, 90_000, stack);
      const rows = await waitTerminal(stack.sql, acked, 5_000);
      const stored = (await stack.sql`select task_id, webhook_id, state, attempts from callback_deliveries
        where task_id = any(${acked}::uuid[])`) as unknown as {
        task_id: string;
        webhook_id: string;
        state: string;
        attempts: number;
      }[];
      const storedByTask = new Map(stored.map((s) => [s.task_id, s]));
      let wrongId = 0;
      for (const d of ctx.receiver.deliveries) {
        if (!d.taskId) continue;
        if (d.webhookId !== firstId.get(d.taskId) || d.webhookId !== storedByTask.get(d.taskId)?.webhook_id)
          wrongId++;
      }
      const callbacks = callbackFigures(ctx.receiver, new Set(acked));
      const notDelivered = stored.filter((s) => s.state !== "delivered").length;
      const figures = {
        lost: countLost(acked, rows, ctx.receiver),
        duplicated: callbacks.duplicated + (stored.length - new Set(stored.map((s) => s.task_id)).size),
        orphaned: 0,
        "5xx": tally.fiveXx,
        refused_attempts: refused,
        max_attempts: Math.max(0, ...stored.map((s) => s.attempts)),
        wrong_webhook_id: wrongId,
      };
      const { problems, expect } = expectations();
      expect(acked.length === APPLIES, `${acked.length}/${APPLIES} applies acknowledged: ${tally.samples}`);
      expect(missing === 0 && figures.lost === 0, `${missing} callbacks never arrived`);
      expect(wrongId === 0, `${wrongId} deliveries with another webhook-id than the first attempt's`);
      expect(notDelivered === 0, `${notDelivered} deliveries not marked delivered`);
      expect(figures.duplicated === 0, `${figures.duplicated} tasks with more than one callback event`);
      expect(figures.max_attempts > 2, "no delivery needed more than 2 attempts: was the receiver down?");
      expect(callbacks.unverified === 0, `${callbacks.unverified} callbacks failed signature verification`);
      expect(figures["5xx"] === 0, `${figures["5xx"]} answers 5xx`);
      return { load: `${APPLIES} applies, receiver down "1 h" (7.2 s at × 0.002)`, figures, problems };
    } finally {
      ctx.receiver.setDown(false);
      await stack.stop();
    }
  },
};

import type { Receiver } from "../../tools/harness/receiver.ts";
import {
  callbackFigures,
  countLost,
  snapshot,
  type TaskState,
  upstreamFigures,
  waitCallbacks,
  waitTerminal,
} from "./checks.ts";
import type { DrillCtx, Figures } from "./context.ts";
import { applyBody, call, lanes, Tally } from "./http.ts";
import type { Stack } from "./stack.ts";

export interface ApplyRun {
  tally: Tally;
  acked: string[];
  rows: TaskState[];
  missing: number;
  figures: Figures;
  orphans: string[];
  unverified: number;
  seconds: number;
}

/**
 * `count` applies through the stack's apis (round robin), then wait (bounded) until every
 * acknowledged task is terminal and its callback arrived; the common figures from the
 * database, the simulator and the receiver.
 */
export async function applyAndSettle(
  ctx: DrillCtx,
  stack: Stack,
  count: number,
  opts: {
    concurrency?: number;
    settleMs: number;
    receiver?: Receiver;
    /** More fields for the i-th apply (e.g. `expires_at`). */
    extra?: (i: number) => Record<string, unknown>;
  },
): Promise<ApplyRun> {
  const receiver = opts.receiver ?? ctx.receiver;
  const before = await snapshot(ctx.sim);
  const tally = new Tally();
  const acked: string[] = [];
  const started = performance.now();
  await lanes(count, opts.concurrency ?? 20, async (i) => {
    const api = stack.apis[i % stack.apis.length]!.url;
    const answer = await call(tally, api, "POST", "/api/desktop/apply", {
      body: { ...applyBody(`${receiver.url}/callbacks`), ...opts.extra?.(i) },
    });
    if (answer.status === 200) acked.push(answer.json.data.task_id);
  });
  const rows = await waitTerminal(stack.sql, acked, opts.settleMs, stack);
  const missing = await waitCallbacks(receiver, acked, 20_000, stack);
  const seconds = (performance.now() - started) / 1000;
  const upstream = await upstreamFigures(ctx, before, stack.sql);
  const callbacks = callbackFigures(receiver, new Set(acked));
  return {
    tally,
    acked,
    rows,
    missing,
    seconds,
    orphans: upstream.orphans,
    unverified: callbacks.unverified,
    figures: {
      lost: countLost(acked, rows, receiver),
      duplicated: upstream.duplicated + callbacks.duplicated,
      orphaned: upstream.orphaned,
      "5xx": tally.fiveXx,
      succeeded: rows.filter((r) => r.state === "succeeded").length,
      failed: rows.filter((r) => r.state === "failed").length,
    },
  };
}

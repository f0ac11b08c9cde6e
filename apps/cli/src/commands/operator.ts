import {
  cancelTask,
  createBoss,
  getDelivery,
  listDeliveries,
  type OperatorResult,
  type PgBoss,
  requestRedelivery,
  retryTask,
} from "@deskgate/db";
import type { CliContext } from "../context.ts";
import { NotFoundError, UsageError } from "../usage.ts";

/** A pg-boss client that only sends jobs: no supervisor, no cron, no LISTEN; stopped after. */
async function withBoss<T>(ctx: CliContext, fn: (boss: PgBoss) => Promise<T>): Promise<T> {
  const boss = createBoss(ctx.databaseUrl, { supervise: false, schedule: false });
  boss.on("error", () => {}); // a failed send is thrown to the caller; nothing else runs here
  await boss.start();
  try {
    return await fn(boss);
  } finally {
    await boss.stop({ graceful: false });
  }
}

/** Record the action's outcome in the audit trail; a refusal is an error for the caller. */
async function settle(ctx: CliContext, action: string, target: string, result: OperatorResult) {
  await ctx.audit(action, target, result.ok ? "ok" : "refused", result.ok ? undefined : result.reason);
  if (!result.ok) throw new Error(result.reason);
}

export async function tasksRetry(ctx: CliContext, id: string | undefined) {
  if (!id) throw new UsageError("missing <task_id>");
  await settle(ctx, "task.retry", id, await withBoss(ctx, (boss) => retryTask(ctx.database.db, boss, id)));
  ctx.out.print({ task: id, state: "queued" });
}

export async function tasksCancel(ctx: CliContext, id: string | undefined) {
  if (!id) throw new UsageError("missing <task_id>");
  await settle(ctx, "task.cancel", id, await withBoss(ctx, (boss) => cancelTask(ctx.database.db, boss, id)));
  ctx.out.print({ task: id, state: "cancelled" });
}

/** Redeliver a delivery, or a task's latest one; the worker makes the attempt. */
export async function callbacksRedeliver(ctx: CliContext, id: string | undefined) {
  if (!id) throw new UsageError("missing <delivery_id|task_id>");
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new UsageError(`not an id: ${id}`);
  const { db } = ctx.database;
  const delivery =
    (await getDelivery(db, id)) ??
    (await listDeliveries(db, id)).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
  if (!delivery) throw new NotFoundError(`no delivery or task with callbacks ${id}`);
  await settle(
    ctx,
    "callback.redeliver",
    delivery.id,
    await withBoss(ctx, (boss) => requestRedelivery(db, boss, delivery.id)),
  );
  ctx.out.print({ delivery: delivery.id, task: delivery.taskId, redelivery: "requested" });
}

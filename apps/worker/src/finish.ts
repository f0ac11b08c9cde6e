import { randomUUID } from "node:crypto";
import { fail, ok } from "@deskgate/contracts";
import { enqueue, finishTask, insertDelivery, type TaskRow } from "@deskgate/db";
import type { WorkerDeps } from "./deps.ts";

/**
 * End a task and, in the same transaction, create its callback event and enqueue the first
 * delivery attempt — so a finished task always has its callback on the way, at once.
 * A task that already ended is left alone (returns false).
 */
export async function finishWithCallback(
  deps: Pick<WorkerDeps, "database" | "boss" | "box">,
  task: TaskRow,
  outcome:
    | { state: "succeeded"; data: Record<string, unknown>; password?: string; progress?: unknown }
    | { state: "failed"; message: string; progress?: unknown },
): Promise<boolean> {
  const { db } = deps.database;
  return db.transaction(async (tx) => {
    const done = await finishTask(tx, task.id, {
      state: outcome.state,
      result: outcome.state === "succeeded" ? outcome.data : null,
      error: outcome.state === "failed" ? outcome.message : null,
      progress: outcome.progress,
    });
    if (!done || !task.callbackUrl) return done;
    const envelope =
      outcome.state === "succeeded"
        ? ok({ task_id: task.id, ...outcome.data }, "string")
        : fail({ task_id: task.id }, outcome.message, "string");
    const deliveryId = randomUUID();
    await insertDelivery(tx, {
      id: deliveryId,
      taskId: task.id,
      webhookId: `msg_${deliveryId.replaceAll("-", "")}`,
      url: task.callbackUrl,
      body: JSON.stringify(envelope),
      sealedPassword:
        outcome.state === "succeeded" && outcome.password ? deps.box.seal(outcome.password) : null,
    });
    await enqueue(deps.boss, tx, "callback.deliver", { delivery_id: deliveryId, attempt: 1 });
    return true;
  });
}

import { randomUUID } from "node:crypto";
import { fail, JobCatalog, ok, type QueueName } from "@deskgate/contracts";
import { and, eq, inArray, like, sql } from "drizzle-orm";
import { fromDrizzle } from "pg-boss";
import type { Db, Executor } from "../client.ts";
import { enqueue, type PgBoss } from "../queue.ts";
import { taskSteps, tasks } from "../schema/tasks.ts";
import { getDelivery, insertDelivery } from "./callbacks.ts";
import { finishTask, getTask, type TaskRow } from "./tasks.ts";

type Sealer = { seal(plain: string): string };

export type OperatorResult = { ok: true } | { ok: false; reason: string };

export type TaskEnd =
  | { state: "succeeded"; data: Record<string, unknown>; password?: string; progress?: unknown }
  | { state: "failed" | "cancelled"; message: string; progress?: unknown };

/**
 * End a task and, in the same transaction, create its callback event and enqueue the first
 * delivery attempt — so a finished task always has its callback on the way, at once.
 * A task that already ended is left alone (returns false). Shared by the worker and the
 * operator actions; `box` seals a generated password (only a success carries one).
 */
export async function finishWithCallback(
  deps: { database: { db: Db }; boss: PgBoss; box?: Sealer },
  task: TaskRow,
  outcome: TaskEnd,
): Promise<boolean> {
  return deps.database.db.transaction((tx) => finishInTx(tx, deps.boss, task, outcome, deps.box));
}

/** finishWithCallback's work inside the caller's transaction. */
export async function finishInTx(
  tx: Executor,
  boss: PgBoss,
  task: TaskRow,
  outcome: TaskEnd,
  box?: Sealer,
): Promise<boolean> {
  const done = await finishTask(tx, task.id, {
    state: outcome.state,
    result: outcome.state === "succeeded" ? outcome.data : null,
    error: outcome.state === "succeeded" ? null : outcome.message,
    progress: outcome.progress,
  });
  if (!done || !task.callbackUrl) return done;
  // the request's approval metadata is echoed last (only what it carried)
  const echo = {
    ...(task.ticketId === null ? {} : { ticket_id: task.ticketId }),
    ...(task.requester === null ? {} : { requester: task.requester }),
  };
  const envelope =
    outcome.state === "succeeded"
      ? ok({ task_id: task.id, ...outcome.data, ...echo }, "string")
      : fail({ task_id: task.id, ...echo }, outcome.message, "string");
  const password = outcome.state === "succeeded" ? outcome.password : undefined;
  if (password && !box) throw new Error("finishWithCallback: a password needs a box to seal it");
  const deliveryId = randomUUID();
  await insertDelivery(tx, {
    id: deliveryId,
    taskId: task.id,
    webhookId: `msg_${deliveryId.replaceAll("-", "")}`,
    url: task.callbackUrl,
    body: JSON.stringify(envelope),
    sealedPassword: password ? box!.seal(password) : null,
  });
  await enqueue(boss, tx, "callback.deliver", { delivery_id: deliveryId, attempt: 1 });
  return true;
}

/** The task's pg-boss jobs (its queue is its kind), read inside the caller's transaction. */
async function jobsOf(boss: PgBoss, tx: Executor, task: TaskRow, queued: boolean) {
  return boss.findJobs<{ task_id: string }>(task.kind, {
    data: { task_id: task.id },
    queued,
    db: fromDrizzle(tx, sql),
  });
}

/** A queue whose jobs run tasks (a TaskJob payload). */
export function isTaskQueue(
  kind: string,
): kind is Exclude<QueueName, "callback.deliver" | "platform.reconcile" | "lease.sweep"> {
  return (
    kind in JobCatalog &&
    kind !== "callback.deliver" &&
    kind !== "platform.reconcile" &&
    kind !== "lease.sweep"
  );
}

/**
 * Operator retry: a failed or cancelled task goes back to `queued` with its recorded failure
 * cleared (the rest of its progress stays, so the worker resumes where it stopped) and a new
 * job on its queue — in one transaction. Refused while a job of the task is still running.
 * A task whose upstream effects were rolled back (an apply that failed for good) starts over
 * instead: its progress names users and desktops that no longer exist.
 */
export async function retryTask(db: Db, boss: PgBoss, taskId: string): Promise<OperatorResult> {
  return db.transaction(async (tx): Promise<OperatorResult> => {
    const task = await getTask(tx, taskId);
    if (!task) return { ok: false, reason: `task ${taskId} not found` };
    if (!isTaskQueue(task.kind)) return { ok: false, reason: `a ${task.kind} task cannot be retried` };
    if (task.state !== "failed" && task.state !== "cancelled") {
      return { ok: false, reason: `task is ${task.state}; only a failed or cancelled task can be retried` };
    }
    const live = (await jobsOf(boss, tx, task, false)).filter((j) => j.state === "active");
    if (live.length) return { ok: false, reason: "a job of this task is still running; retry when it ends" };
    const rolledBack = await tx
      .select({ id: taskSteps.id })
      .from(taskSteps)
      .where(and(eq(taskSteps.taskId, task.id), like(taskSteps.name, "rollback\\_%")))
      .limit(1);
    const rows = await tx
      .update(tasks)
      .set({
        state: "queued",
        progress: rolledBack.length ? {} : sql`${tasks.progress} - 'failure' - 'failureCode'`,
        result: null,
        error: null,
        finishedAt: null,
        resumeToken: null,
        updatedAt: sql`now()`,
      })
      .where(and(eq(tasks.id, task.id), inArray(tasks.state, ["failed", "cancelled"])))
      .returning({ id: tasks.id });
    if (rows.length !== 1) return { ok: false, reason: "the task changed meanwhile; try again" };
    await enqueue(boss, tx, task.kind, { task_id: task.id });
    return { ok: true };
  });
}

export const CANCELLED_BY_OPERATOR = "cancelled by an operator";

/**
 * Operator cancel: a queued or running task ends `cancelled`, with a failure callback
 * "cancelled by an operator" when it has a callback_url, and its jobs still waiting in the
 * queue are cancelled too. A running job is not interrupted: its outcome is dropped when it
 * tries to end the task (upstream effects it already made stay).
 */
export async function cancelTask(db: Db, boss: PgBoss, taskId: string): Promise<OperatorResult> {
  return db.transaction(async (tx): Promise<OperatorResult> => {
    const task = await getTask(tx, taskId);
    if (!task) return { ok: false, reason: `task ${taskId} not found` };
    if (task.state !== "queued" && task.state !== "running") {
      return { ok: false, reason: `task is ${task.state}; only a queued or running task can be cancelled` };
    }
    const done = await finishInTx(tx, boss, task, { state: "cancelled", message: CANCELLED_BY_OPERATOR });
    if (!done) return { ok: false, reason: "the task ended meanwhile" };
    if (isTaskQueue(task.kind)) {
      const waiting = await jobsOf(boss, tx, task, true);
      if (waiting.length) {
        await boss.cancel(
          task.kind,
          waiting.map((j) => j.id),
          { db: fromDrizzle(tx, sql) },
        );
      }
    }
    return { ok: true };
  });
}

/**
 * Operator redelivery: enqueue a `callback.deliver` job flagged `manual`; the worker makes one
 * immediate attempt (trigger `manual`, same webhook-id and body, new timestamp and signature).
 */
export async function requestRedelivery(db: Db, boss: PgBoss, deliveryId: string): Promise<OperatorResult> {
  const delivery = await getDelivery(db, deliveryId);
  if (!delivery) return { ok: false, reason: `delivery ${deliveryId} not found` };
  await enqueue(boss, db, "callback.deliver", {
    delivery_id: delivery.id,
    attempt: delivery.attempts + 1,
    manual: true,
  });
  return { ok: true };
}

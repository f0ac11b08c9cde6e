import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { taskSteps, tasks } from "../schema/tasks.ts";

export type TaskRow = typeof tasks.$inferSelect;

/**
 * Channel on which a task's id is NOTIFYed when it ends. The NOTIFY is sent inside the
 * transaction that ends the task, so listeners (the api waiting on a synchronous request)
 * are woken exactly when the outcome is committed.
 */
export const TASK_DONE_CHANNEL = "deskgate_task_done";
export type StepRow = typeof taskSteps.$inferSelect;

export async function insertTask(
  db: Executor,
  task: { id: string; kind: string; request: unknown; callbackUrl: string | null; apiKeyId?: string | null },
): Promise<void> {
  await db.insert(tasks).values({
    id: task.id,
    kind: task.kind,
    request: task.request,
    callbackUrl: task.callbackUrl,
    apiKeyId: task.apiKeyId ?? null,
  });
}

export async function getTask(db: Executor, id: string): Promise<TaskRow | undefined> {
  const [row] = await db.select().from(tasks).where(eq(tasks.id, id));
  return row;
}

/** Move a queued (or retried) task to running; returns the row, or undefined if it is already terminal. */
export async function startTask(db: Executor, id: string): Promise<TaskRow | undefined> {
  const [row] = await db
    .update(tasks)
    .set({
      state: "running",
      attempts: sql`${tasks.attempts} + 1`,
      startedAt: sql`coalesce(${tasks.startedAt}, now())`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(tasks.id, id), inArray(tasks.state, ["queued", "running"])))
    .returning();
  return row;
}

/** Merge keys into the task's resumable progress (committed before the next upstream step). */
export async function saveProgress(db: Executor, id: string, patch: Record<string, unknown>): Promise<void> {
  await db
    .update(tasks)
    .set({ progress: sql`${tasks.progress} || ${JSON.stringify(patch)}::jsonb`, updatedAt: sql`now()` })
    .where(eq(tasks.id, id));
}

/** End a task. Only a running or queued task can end, so a duplicate finish is a no-op (returns false). */
export async function finishTask(
  db: Executor,
  id: string,
  outcome: {
    state: "succeeded" | "failed" | "cancelled";
    result?: unknown;
    error?: string | null;
    progress?: unknown;
  },
): Promise<boolean> {
  const rows = await db
    .update(tasks)
    .set({
      state: outcome.state,
      result: outcome.result ?? null,
      error: outcome.error ?? null,
      ...(outcome.progress === undefined ? {} : { progress: outcome.progress }),
      finishedAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(tasks.id, id), inArray(tasks.state, ["queued", "running"])))
    .returning({ id: tasks.id });
  if (rows.length !== 1) return false;
  await db.execute(sql`select pg_notify(${TASK_DONE_CHANNEL}, ${id})`);
  return true;
}

export async function beginStep(db: Executor, taskId: string, name: string): Promise<number> {
  const [row] = await db.insert(taskSteps).values({ taskId, name }).returning({ id: taskSteps.id });
  return row!.id;
}

export async function endStep(
  db: Executor,
  stepId: number,
  outcome: "ok" | "failed" | "skipped",
  extra: { detail?: string; upstreamRequestId?: string } = {},
): Promise<void> {
  await db
    .update(taskSteps)
    .set({
      outcome,
      endedAt: sql`now()`,
      detail: extra.detail ?? null,
      upstreamRequestId: extra.upstreamRequestId ?? null,
    })
    .where(eq(taskSteps.id, stepId));
}

export async function listSteps(db: Executor, taskId: string): Promise<StepRow[]> {
  return db.select().from(taskSteps).where(eq(taskSteps.taskId, taskId)).orderBy(asc(taskSteps.id));
}

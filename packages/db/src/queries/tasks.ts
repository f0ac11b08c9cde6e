import { approvalOf } from "@deskgate/contracts";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { taskSteps, tasks, taskWaits } from "../schema/tasks.ts";
import { releaseLocksOf } from "./waits.ts";

export type TaskRow = typeof tasks.$inferSelect;

/**
 * Channel on which a task's id is NOTIFYed when it ends. The NOTIFY is sent inside the
 * transaction that ends the task, so listeners (the api waiting on a synchronous request)
 * are woken exactly when the outcome is committed.
 */
export const TASK_DONE_CHANNEL = "deskgate_task_done";
export type StepRow = typeof taskSteps.$inferSelect;

/**
 * Channel on which a task's id is NOTIFYed when something a watcher shows changed after the task
 * ran: a callback delivery settled an attempt (`updateDelivery`). `tasks.watch` wakes on it and on
 * TASK_DONE_CHANNEL; steps in between are seen by its slow fallback read.
 */
export const TASK_PROGRESS_CHANNEL = "deskgate_task_progress";

export async function insertTask(
  db: Executor,
  task: {
    id: string;
    kind: string;
    request: unknown;
    callbackUrl: string | null;
    apiKeyId?: string | null;
    tenant?: string | null;
  },
): Promise<void> {
  const approval = approvalOf(task.request);
  await db.insert(tasks).values({
    id: task.id,
    kind: task.kind,
    request: task.request,
    callbackUrl: task.callbackUrl,
    apiKeyId: task.apiKeyId ?? null,
    tenant: task.tenant ?? null,
    ticketId: approval.ticketId,
    requester: approval.requester,
  });
}

export async function getTask(db: Executor, id: string): Promise<TaskRow | undefined> {
  const [row] = await db.select().from(tasks).where(eq(tasks.id, id));
  return row;
}

/**
 * Move a queued (or retried) task to running; returns the row, or undefined if it is already
 * terminal or parked for another job: only the job carrying the task's current resume token
 * (none before the first park) may run it. `attempts` counts runs that start over (the first, a
 * retry, a run after a crash); resuming a parked task is the same run going on, so
 * `continued: true` leaves it.
 */
export async function startTask(
  db: Executor,
  id: string,
  resumeToken: string | null = null,
  continued = false,
): Promise<TaskRow | undefined> {
  const [row] = await db
    .update(tasks)
    .set({
      state: "running",
      attempts: continued ? tasks.attempts : sql`${tasks.attempts} + 1`,
      startedAt: sql`coalesce(${tasks.startedAt}, now())`,
      updatedAt: sql`now()`,
    })
    .where(
      and(
        eq(tasks.id, id),
        inArray(tasks.state, ["queued", "running"]),
        sql`${tasks.resumeToken} is not distinct from ${resumeToken}::uuid`,
      ),
    )
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
  await db.delete(taskWaits).where(eq(taskWaits.taskId, id));
  await releaseLocksOf(db, id);
  await db.execute(sql`select pg_notify(${TASK_DONE_CHANNEL}, ${id})`);
  return true;
}

/**
 * Record the start of a step, or carry on the task's last step when it has this name and is
 * `waiting` (left so by a park): one row per step, however often the task parked in it. A
 * step a killed run left `running` stays so, and the re-run starts a new row. One statement (a
 * step is opened several times per task).
 */
export async function beginStep(db: Executor, taskId: string, name: string): Promise<number> {
  const rows = await db.execute<{ id: number }>(sql`
    with last as (
      select id from ${taskSteps} where task_id = ${taskId} order by id desc limit 1
    ),
    resumed as (
      update ${taskSteps} set outcome = 'running'
      where id = (select id from last) and name = ${name} and outcome = 'waiting'
      returning id
    ),
    opened as (
      insert into ${taskSteps} (task_id, name)
      select ${taskId}, ${name} where not exists (select 1 from resumed)
      returning id
    )
    select id from resumed union all select id from opened`);
  return Number((rows as unknown as { id: number }[])[0]!.id);
}

/** The step waits for a platform job while its task is parked (not ended). */
export async function markStepWaiting(db: Executor, stepId: number, detail: string): Promise<void> {
  await db.update(taskSteps).set({ outcome: "waiting", detail }).where(eq(taskSteps.id, stepId));
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

/**
 * Whether a task of one of `kinds` was ever accepted for this request field value (e.g. a
 * `desktop.delete` of `desktop_uuid` X): the api accepts a repeat of a delete whose object
 * deskgate's tables no longer hold, and answers 404 only for what deskgate never knew.
 */
export async function taskExistsFor(
  db: Executor,
  kinds: string[],
  field: string,
  value: string,
  /** Only a task of this tenant counts (undefined: any tenant's, for admin). */
  tenant?: string,
): Promise<boolean> {
  const [row] = await db
    .select({ id: tasks.id })
    .from(tasks)
    .where(
      and(
        inArray(tasks.kind, kinds),
        sql`${tasks.request}->>${field} = ${value}`,
        tenant === undefined ? undefined : eq(tasks.tenant, tenant),
      ),
    )
    .limit(1);
  return row !== undefined;
}

import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import type { Db, Executor } from "../client.ts";
import { enqueue, type PgBoss } from "../queue.ts";
import { resourceLocks, tasks, taskWaits } from "../schema/tasks.ts";
import { isTaskQueue } from "./operator.ts";

export type WaitRow = typeof taskWaits.$inferSelect;

/** A wait that is due, with its task's kind (the queue that resumes it). */
export interface DueWait {
  taskId: string;
  kind: string;
  platformJobId: string;
  resumeToken: string;
  since: Date;
}

/**
 * Park a running task on a platform job: a new resume token on the task (older jobs of the
 * task can no longer run it) and its wait, checked first `checkAfterMs` from now. `since` is kept
 * when the task was already waiting for the same platform job, so the job's timeout counts
 * from the first park. Returns false when the task is no longer running (cancelled meanwhile).
 */
export async function parkTask(
  tx: Executor,
  wait: { taskId: string; platformJobId: string; checkAfterMs: number },
): Promise<boolean> {
  const token = randomUUID();
  const parked = await tx
    .update(tasks)
    .set({ resumeToken: token, updatedAt: sql`now()` })
    .where(and(eq(tasks.id, wait.taskId), eq(tasks.state, "running")))
    .returning({ id: tasks.id });
  if (parked.length !== 1) return false;
  // A lock's holder may have ended (and released, waking nobody: this wait was not pending yet)
  // between our failed take and this park: then the wait is due at once. Locking the holder's
  // row makes a release that comes now wait for this commit, and so see (and wake) this wait.
  const free =
    isLockWait(wait.platformJobId) && !(await lockHeldForUpdate(tx, resourceOfLockWait(wait.platformJobId)));
  const nextCheckAt = sql`now() + make_interval(secs => ${free ? 0 : wait.checkAfterMs / 1000})`;
  await tx
    .insert(taskWaits)
    .values({ taskId: wait.taskId, platformJobId: wait.platformJobId, nextCheckAt, resumeToken: token })
    .onConflictDoUpdate({
      target: taskWaits.taskId,
      set: {
        platformJobId: wait.platformJobId,
        nextCheckAt,
        resumeToken: token,
        resumed: false,
        since: sql`case when ${taskWaits.platformJobId} = ${wait.platformJobId} then ${taskWaits.since} else now() end`,
      },
    });
  return true;
}

export async function getWait(db: Executor, taskId: string): Promise<WaitRow | undefined> {
  const [row] = await db.select().from(taskWaits).where(eq(taskWaits.taskId, taskId));
  return row;
}

/** Waits whose check is due within `slackMs`, soonest first. */
export async function dueWaits(db: Executor, limit: number, slackMs = 0): Promise<DueWait[]> {
  return db
    .select({
      taskId: taskWaits.taskId,
      kind: tasks.kind,
      platformJobId: taskWaits.platformJobId,
      resumeToken: taskWaits.resumeToken,
      since: taskWaits.since,
    })
    .from(taskWaits)
    .innerJoin(tasks, eq(tasks.id, taskWaits.taskId))
    .where(
      and(
        eq(taskWaits.resumed, false),
        lte(taskWaits.nextCheckAt, sql`now() + make_interval(secs => ${slackMs / 1000})`),
      ),
    )
    .orderBy(asc(taskWaits.nextCheckAt))
    .limit(limit);
}

/** Milliseconds until the next pending wait is due (≤ 0: due now; null: none pending), by the database's clock. */
export async function msUntilNextWait(db: Executor): Promise<number | null> {
  const [row] = await db
    .select({
      ms: sql<number | null>`extract(epoch from min(${taskWaits.nextCheckAt}) - now()) * 1000`.mapWith((v) =>
        v === null ? null : Number(v),
      ),
    })
    .from(taskWaits)
    .where(eq(taskWaits.resumed, false));
  return row?.ms ?? null;
}

/** Check these waits again `afterMs` from now (their platform jobs still run). */
export async function deferWaits(db: Executor, waits: DueWait[], afterMs: number): Promise<void> {
  if (waits.length === 0) return;
  await db
    .update(taskWaits)
    .set({ nextCheckAt: sql`now() + make_interval(secs => ${afterMs / 1000})` })
    .where(
      and(
        inArray(
          taskWaits.taskId,
          waits.map((w) => w.taskId),
        ),
        eq(taskWaits.resumed, false),
      ),
    );
}

/**
 * Resume these tasks: each wait still pending with the same token is marked resumed and its
 * task gets a job carrying the token, in one transaction (two watchers racing resume a task
 * once). Returns how many were resumed.
 */
export async function resumeWaits(db: Db, boss: PgBoss, waits: DueWait[]): Promise<number> {
  if (waits.length === 0) return 0;
  return db.transaction(async (tx) => {
    const byTask = new Map(waits.map((w) => [w.taskId, w]));
    const claimed = await tx
      .update(taskWaits)
      .set({ resumed: true })
      .where(
        and(
          inArray(taskWaits.taskId, [...byTask.keys()]),
          eq(taskWaits.resumed, false),
          sql`(${taskWaits.taskId}, ${taskWaits.resumeToken}) in (${sql.join(
            waits.map((w) => sql`(${w.taskId}::uuid, ${w.resumeToken}::uuid)`),
            sql`, `,
          )})`,
        ),
      )
      .returning({ taskId: taskWaits.taskId, resumeToken: taskWaits.resumeToken });
    for (const c of claimed) {
      const kind = byTask.get(c.taskId)!.kind;
      if (!isTaskQueue(kind)) continue;
      await enqueue(boss, tx, kind, { task_id: c.taskId, resume_token: c.resumeToken });
    }
    return claimed.length;
  });
}

/** The wait id of a task parked on a held resource (never a platform job id). */
const LOCK_WAIT = "lock:";
export const lockWaitId = (resource: string) => `${LOCK_WAIT}${resource}`;
export const isLockWait = (platformJobId: string) => platformJobId.startsWith(LOCK_WAIT);
const resourceOfLockWait = (platformJobId: string) => platformJobId.slice(LOCK_WAIT.length);

/**
 * Take `resource` for this task: free, already this task's, or held by a task that is no
 * longer queued or running. Returns false when another live task holds it.
 */
export async function acquireLock(db: Executor, resource: string, taskId: string): Promise<boolean> {
  const rows = await db.execute(sql`
    insert into resource_locks (resource, task_id) values (${resource}, ${taskId}::uuid)
    on conflict (resource) do update set task_id = excluded.task_id, since = now()
      where resource_locks.task_id = excluded.task_id
         or not exists (select 1 from tasks t where t.id = resource_locks.task_id
                        and t.state in ('queued', 'running'))
    returning task_id`);
  return (rows as unknown as unknown[]).length === 1;
}

/** Whether a live task holds `resource`, locking its lock row until the transaction ends. */
async function lockHeldForUpdate(tx: Executor, resource: string): Promise<boolean> {
  const rows = await tx.execute(sql`
    select 1 from resource_locks rl join tasks t on t.id = rl.task_id
    where rl.resource = ${resource} and t.state in ('queued', 'running')
    for update of rl`);
  return (rows as unknown as unknown[]).length > 0;
}

/** Release the task's resources and make the tasks parked on them due now (the task ended). */
export async function releaseLocksOf(db: Executor, taskId: string): Promise<void> {
  const freed = await db
    .delete(resourceLocks)
    .where(eq(resourceLocks.taskId, taskId))
    .returning({ resource: resourceLocks.resource });
  if (freed.length === 0) return;
  await db
    .update(taskWaits)
    .set({ nextCheckAt: sql`now()` })
    .where(
      and(
        inArray(
          taskWaits.platformJobId,
          freed.map((f) => lockWaitId(f.resource)),
        ),
        eq(taskWaits.resumed, false),
      ),
    );
}

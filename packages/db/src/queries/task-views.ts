import { asc, eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { callbackAttempts, callbackDeliveries } from "../schema/callbacks.ts";
import { taskSteps, tasks } from "../schema/tasks.ts";

/**
 * Read models the api serves: a task with its steps and callback deliveries (desktops and
 * volumes: mirror.ts, volumes.ts; HPC accounts: hpc-sessions.ts).
 */
export type TaskRowFull = typeof tasks.$inferSelect;
export type DeliveryWithAttempts = typeof callbackDeliveries.$inferSelect & {
  attemptRows: (typeof callbackAttempts.$inferSelect)[];
};

export interface TaskDetail {
  task: TaskRowFull;
  steps: (typeof taskSteps.$inferSelect)[];
  deliveries: DeliveryWithAttempts[];
}

/** A task with its steps and deliveries (each with its attempts), in three queries. */
export async function getTaskDetail(db: Executor, id: string): Promise<TaskDetail | undefined> {
  const [task] = await db.select().from(tasks).where(eq(tasks.id, id));
  if (!task) return undefined;
  const [steps, deliveries] = await Promise.all([
    db.select().from(taskSteps).where(eq(taskSteps.taskId, id)).orderBy(asc(taskSteps.id)),
    db
      .select()
      .from(callbackDeliveries)
      .where(eq(callbackDeliveries.taskId, id))
      .orderBy(asc(callbackDeliveries.createdAt)),
  ]);
  const attempts = deliveries.length
    ? await db
        .select()
        .from(callbackAttempts)
        .where(
          inArray(
            callbackAttempts.deliveryId,
            deliveries.map((d) => d.id),
          ),
        )
        .orderBy(asc(callbackAttempts.id))
    : [];
  return {
    task,
    steps,
    deliveries: deliveries.map((d) => ({ ...d, attemptRows: attempts.filter((a) => a.deliveryId === d.id) })),
  };
}

/** The state and owner of a task (cheap; used by waiters and idempotent replays). */
export async function getTaskState(db: Executor, id: string) {
  const [row] = await db
    .select({ id: tasks.id, state: tasks.state, apiKeyId: tasks.apiKeyId, updatedAt: tasks.updatedAt })
    .from(tasks)
    .where(eq(tasks.id, id));
  return row;
}

/**
 * Hand a secret the worker left for the api (`progress.sealedPassword`) over once: read it
 * and remove it from the row in one statement. Returns undefined when there is none.
 */
export async function takeSealedPassword(db: Executor, id: string): Promise<string | undefined> {
  const rows = await db.execute<{ sealed: string | null }>(sql`
    with old as (
      select progress->>'sealedPassword' as sealed from ${tasks} where id = ${id} for update
    )
    update ${tasks} set progress = progress - 'sealedPassword'
    from old where ${tasks.id} = ${id}
    returning old.sealed`);
  return rows[0]?.sealed ?? undefined;
}

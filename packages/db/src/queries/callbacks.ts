import { eq, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { callbackAttempts, callbackDeliveries } from "../schema/callbacks.ts";
import { TASK_PROGRESS_CHANNEL } from "./tasks.ts";

export type DeliveryRow = typeof callbackDeliveries.$inferSelect;
export type AttemptRow = typeof callbackAttempts.$inferSelect;

export async function insertDelivery(
  db: Executor,
  delivery: typeof callbackDeliveries.$inferInsert,
): Promise<void> {
  await db.insert(callbackDeliveries).values(delivery);
}

export async function getDelivery(db: Executor, id: string): Promise<DeliveryRow | undefined> {
  const [row] = await db.select().from(callbackDeliveries).where(eq(callbackDeliveries.id, id));
  return row;
}

export async function listDeliveries(db: Executor, taskId: string): Promise<DeliveryRow[]> {
  return db.select().from(callbackDeliveries).where(eq(callbackDeliveries.taskId, taskId));
}

export async function listAttempts(db: Executor, deliveryId: string): Promise<AttemptRow[]> {
  return db
    .select()
    .from(callbackAttempts)
    .where(eq(callbackAttempts.deliveryId, deliveryId))
    .orderBy(callbackAttempts.id);
}

/** Record the attempt as `sending` before the POST leaves, so a crash leaves evidence. */
export async function beginAttempt(
  db: Executor,
  deliveryId: string,
  attempt: number,
  trigger: "scheduled" | "manual",
): Promise<number> {
  const [row] = await db
    .insert(callbackAttempts)
    .values({ deliveryId, attempt, trigger })
    .returning({ id: callbackAttempts.id });
  return row!.id;
}

export async function endAttempt(
  db: Executor,
  attemptId: number,
  r: {
    outcome: string;
    httpStatus: number;
    errorClass: string | null;
    latencyMs: number;
    responsePrefix: string;
  },
): Promise<void> {
  await db
    .update(callbackAttempts)
    .set({ ...r, endedAt: sql`now()` })
    .where(eq(callbackAttempts.id, attemptId));
}

/**
 * Settle the delivery after an attempt. A terminal state wipes the sealed password. The task's
 * id is NOTIFYed on TASK_PROGRESS_CHANNEL in the same statement, so a `tasks.watch` sees the
 * delivery's state as soon as it is committed.
 */
export async function updateDelivery(
  db: Executor,
  id: string,
  patch: {
    state: "pending" | "delivered" | "failed" | "gone";
    attempts: number;
    nextAttemptInSec: number | null;
  },
): Promise<void> {
  const terminal = patch.state !== "pending";
  await db
    .update(callbackDeliveries)
    .set({
      state: patch.state,
      attempts: patch.attempts,
      // the database clock decides, like pg-boss's startAfter
      nextAttemptAt:
        patch.nextAttemptInSec === null
          ? null
          : sql`now() + make_interval(secs => ${patch.nextAttemptInSec})`,
      ...(terminal ? { sealedPassword: null, finishedAt: sql`now()` } : {}),
    })
    .where(eq(callbackDeliveries.id, id))
    .returning({ notified: sql`pg_notify(${TASK_PROGRESS_CHANNEL}, ${callbackDeliveries.taskId}::text)` });
}

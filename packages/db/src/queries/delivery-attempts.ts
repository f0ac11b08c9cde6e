import { eq } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { callbackDeliveries } from "../schema/callbacks.ts";

/** Count an attempt that changes neither state nor schedule (a failed manual redelivery). */
export async function countDeliveryAttempt(db: Executor, id: string, attempts: number): Promise<void> {
  await db.update(callbackDeliveries).set({ attempts }).where(eq(callbackDeliveries.id, id));
}

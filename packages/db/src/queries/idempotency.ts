import { and, eq, lt, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { idempotencyKeys } from "../schema/api-keys.ts";

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect;

/** Where a key is unique (RELIABILITY.md 4): per API key, method, path and key. */
export interface IdempotencyScope {
  apiKeyId: string;
  method: string;
  path: string;
  key: string;
}

/** The live record of this scope; an expired one is deleted and treated as absent. */
export async function findIdempotencyRecord(
  db: Executor,
  scope: IdempotencyScope,
): Promise<IdempotencyRow | undefined> {
  const where = and(
    eq(idempotencyKeys.apiKeyId, scope.apiKeyId),
    eq(idempotencyKeys.method, scope.method),
    eq(idempotencyKeys.path, scope.path),
    eq(idempotencyKeys.key, scope.key),
  );
  const [row] = await db.select().from(idempotencyKeys).where(where);
  if (row && row.expiresAt.getTime() <= Date.now()) {
    await db.delete(idempotencyKeys).where(and(where, lt(idempotencyKeys.expiresAt, sql`now()`)));
    return undefined;
  }
  return row;
}

/** The record, locked until the caller's transaction ends (one finisher at a time). */
export async function lockIdempotencyRecord(tx: Executor, id: string): Promise<IdempotencyRow | undefined> {
  const [row] = await tx.select().from(idempotencyKeys).where(eq(idempotencyKeys.id, id)).for("update");
  return row;
}

/** Store the final answer of a request (a body holding a secret goes in `sealed` only). */
export async function completeIdempotencyRecord(
  db: Executor,
  id: string,
  response: { status: number; body: string | null; sealed: string | null },
): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({
      state: "done",
      responseStatus: response.status,
      responseBody: response.body,
      responseSealed: response.sealed,
    })
    .where(eq(idempotencyKeys.id, id));
}

/** Housekeeping: drop records past `expires_at`; returns how many went. */
export async function deleteExpiredIdempotencyRecords(db: Executor): Promise<number> {
  const rows = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.expiresAt, sql`now()`))
    .returning({ id: idempotencyKeys.id });
  return rows.length;
}

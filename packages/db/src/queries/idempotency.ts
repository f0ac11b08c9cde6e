import { randomUUID } from "node:crypto";
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

/**
 * Claim the scope inside the caller's transaction. `ON CONFLICT DO NOTHING` makes a
 * concurrent duplicate wait on the unique index until the first transaction ends; it then
 * gets `false` (and re-reads the committed record) or, if the first rolled back, the claim.
 */
export async function claimIdempotencyKey(
  tx: Executor,
  record: IdempotencyScope & {
    fingerprint: string;
    taskId: string | null;
    ttlSeconds: number;
    /** Known already (async answers): stored at once as `done`. */
    response?: { status: number; body: string | null; sealed: string | null };
  },
): Promise<boolean> {
  const rows = await tx
    .insert(idempotencyKeys)
    .values({
      id: randomUUID(),
      apiKeyId: record.apiKeyId,
      method: record.method,
      path: record.path,
      key: record.key,
      fingerprint: record.fingerprint,
      taskId: record.taskId,
      state: record.response ? "done" : "in_progress",
      responseStatus: record.response?.status ?? null,
      responseBody: record.response?.body ?? null,
      responseSealed: record.response?.sealed ?? null,
      expiresAt: sql`now() + make_interval(secs => ${record.ttlSeconds})`,
    })
    .onConflictDoNothing()
    .returning({ id: idempotencyKeys.id });
  return rows.length === 1;
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

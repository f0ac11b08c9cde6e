import { and, eq, isNull, notInArray, or, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { hpcAccounts, vncSessions } from "../schema/hpc.ts";

export type HpcAccountRow = typeof hpcAccounts.$inferSelect;
export type VncSessionRow = typeof vncSessions.$inferSelect;

export async function loadHpcAccount(db: Executor, name: string): Promise<HpcAccountRow | undefined> {
  const [row] = await db.select().from(hpcAccounts).where(eq(hpcAccounts.name, name));
  return row;
}

/** Keep a fresh token (sealed by the caller) and its cluster. */
export async function storeHpcToken(
  db: Executor,
  name: string,
  token: { sealedToken: string; clusterId: string },
): Promise<void> {
  await db
    .update(hpcAccounts)
    .set({ ...token, tokenObtainedAt: sql`now()`, updatedAt: sql`now()` })
    .where(eq(hpcAccounts.name, name));
}

/** Cache the account's discovered HPC base URL (null forgets it, e.g. after it stopped answering). */
export async function storeHpcUrl(db: Executor, name: string, hpcUrl: string | null): Promise<void> {
  await db.update(hpcAccounts).set({ hpcUrl, updatedAt: sql`now()` }).where(eq(hpcAccounts.name, name));
}

export async function upsertVncSession(
  db: Executor,
  row: { sessionId: string; account: string; session: unknown },
): Promise<void> {
  await db
    .insert(vncSessions)
    .values(row)
    .onConflictDoUpdate({
      target: vncSessions.sessionId,
      set: { account: row.account, session: row.session, closedAt: null, updatedAt: sql`now()` },
    });
}

/** A session of `account` closed (scoped by account: another account's session of that id stays). */
export async function markVncSessionClosed(db: Executor, account: string, sessionId: string): Promise<void> {
  await db
    .update(vncSessions)
    .set({ closedAt: sql`now()`, updatedAt: sql`now()` })
    .where(
      and(
        eq(vncSessions.account, account),
        eq(vncSessions.sessionId, sessionId),
        isNull(vncSessions.closedAt),
      ),
    );
}

/** After a list: sessions of the account the platform no longer has are closed. */
export async function closeVncSessionsExcept(db: Executor, account: string, open: string[]): Promise<void> {
  await db
    .update(vncSessions)
    .set({ closedAt: sql`now()`, updatedAt: sql`now()` })
    .where(
      and(
        eq(vncSessions.account, account),
        isNull(vncSessions.closedAt),
        ...(open.length ? [notInArray(vncSessions.sessionId, open)] : []),
      ),
    );
}

export async function listOpenVncSessions(db: Executor, account: string): Promise<VncSessionRow[]> {
  return db
    .select()
    .from(vncSessions)
    .where(and(eq(vncSessions.account, account), isNull(vncSessions.closedAt)));
}

/**
 * The HPC accounts that belong to a desktop user (offboarding closes their VNC sessions): the
 * account named like the user, or whose SCNet user is that name.
 */
export async function hpcAccountsOfUser(db: Executor, username: string): Promise<HpcAccountRow[]> {
  return db
    .select()
    .from(hpcAccounts)
    .where(or(eq(hpcAccounts.name, username), eq(hpcAccounts.platformUser, username)))
    .orderBy(hpcAccounts.name);
}

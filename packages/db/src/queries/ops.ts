import { and, desc, eq, or, type SQL, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { hpcAccounts } from "../schema/hpc.ts";
import { tasks } from "../schema/tasks.ts";

export interface TaskFilter {
  state?: string;
  kind?: string;
  /**
   * A task id, a user name or a desktop uuid (as in the request or the result), or a ticket id
   * or requester (exact).
   */
  search?: string;
  /** Only tasks of this approval ticket (exact). */
  ticket?: string;
  limit?: number;
}

/** Tasks for operators (CLI, /ops), newest first, without secrets. */
export async function listTasks(db: Executor, filter: TaskFilter = {}) {
  const where: SQL[] = [];
  if (filter.state) where.push(eq(tasks.state, filter.state));
  if (filter.kind) where.push(eq(tasks.kind, filter.kind));
  if (filter.ticket) where.push(eq(tasks.ticketId, filter.ticket.trim()));
  if (filter.search) {
    const s = filter.search.trim();
    // PostgreSQL text never holds NUL, so a search with one matches nothing (and must not reach it)
    if (s.includes("\u0000")) return [];
    const byId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)
      ? [eq(tasks.id, s)]
      : [];
    where.push(
      or(
        ...byId,
        sql`${tasks.request}->>'username' = ${s}`,
        sql`${tasks.result}->>'username' = ${s}`,
        sql`${tasks.request}->>'desktop_uuid' = ${s}`,
        sql`${tasks.result}->>'desktop_uuid' = ${s}`,
        eq(tasks.ticketId, s),
        eq(tasks.requester, s),
      )!,
    );
  }
  return db
    .select({
      id: tasks.id,
      kind: tasks.kind,
      state: tasks.state,
      error: tasks.error,
      attempts: tasks.attempts,
      createdAt: tasks.createdAt,
      finishedAt: tasks.finishedAt,
      ticketId: tasks.ticketId,
      requester: tasks.requester,
      username: sql<string | null>`coalesce(${tasks.result}->>'username', ${tasks.request}->>'username')`,
      desktopUuid: sql<
        string | null
      >`coalesce(${tasks.result}->>'desktop_uuid', ${tasks.request}->>'desktop_uuid')`,
    })
    .from(tasks)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(tasks.createdAt))
    .limit(Math.min(filter.limit ?? 50, 1000));
}

export async function addHpcAccount(
  db: Executor,
  account: {
    name: string;
    platformUser: string;
    orgId: string;
    /** One of the two: a sealed password, or an access key with its sealed secret. */
    sealedPassword?: string;
    accessKey?: string;
    sealedAccessSecret?: string;
    /** The cluster (id or name) whose token to use; null = the first computing cluster. */
    cluster?: string | null;
    /** The tenant whose `hpc` keys may use it; null = admin only until assigned. */
    tenant?: string | null;
  },
): Promise<boolean> {
  const rows = await db
    .insert(hpcAccounts)
    .values(account)
    .onConflictDoNothing()
    .returning({ name: hpcAccounts.name });
  return rows.length === 1;
}

export async function listHpcAccounts(db: Executor) {
  return db
    .select({
      name: hpcAccounts.name,
      platformUser: hpcAccounts.platformUser,
      orgId: hpcAccounts.orgId,
      cluster: hpcAccounts.cluster,
      tenant: hpcAccounts.tenant,
      hasToken: sql<boolean>`${hpcAccounts.sealedToken} is not null`,
      hpcUrl: hpcAccounts.hpcUrl,
      createdAt: hpcAccounts.createdAt,
    })
    .from(hpcAccounts)
    .orderBy(hpcAccounts.name);
}

/** Give an HPC account to `tenant` (null: admin only); false when there is no such account. */
export async function assignHpcAccount(db: Executor, name: string, tenant: string | null): Promise<boolean> {
  const rows = await db
    .update(hpcAccounts)
    .set({ tenant, updatedAt: sql`now()` })
    .where(eq(hpcAccounts.name, name))
    .returning({ name: hpcAccounts.name });
  return rows.length === 1;
}

export async function removeHpcAccount(db: Executor, name: string): Promise<boolean> {
  const rows = await db
    .delete(hpcAccounts)
    .where(eq(hpcAccounts.name, name))
    .returning({ name: hpcAccounts.name });
  return rows.length === 1;
}

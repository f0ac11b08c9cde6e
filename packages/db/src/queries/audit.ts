import { randomUUID } from "node:crypto";
import { and, desc, eq, inArray, type SQL } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { auditEvents } from "../schema/audit.ts";

export type AuditEvent = typeof auditEvents.$inferSelect;

export interface AuditEntry {
  /** `ops:<key name>` or `cli:<os user>`. */
  actor: string;
  action: string;
  target: string;
  outcome: "ok" | "refused";
  /** Never a secret. */
  detail?: string | null;
}

export async function recordAudit(db: Executor, entry: AuditEntry): Promise<void> {
  await db.insert(auditEvents).values({ id: randomUUID(), ...entry, detail: entry.detail ?? null });
}

/** Newest first; optionally only the events about some targets (a task id, a key name…). */
export async function listAudit(
  db: Executor,
  opts: { limit?: number; target?: string | string[]; actor?: string } = {},
): Promise<AuditEvent[]> {
  const where: SQL[] = [];
  if (typeof opts.target === "string") where.push(eq(auditEvents.target, opts.target));
  if (Array.isArray(opts.target)) where.push(inArray(auditEvents.target, opts.target));
  if (opts.actor) where.push(eq(auditEvents.actor, opts.actor));
  return db
    .select()
    .from(auditEvents)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(Math.min(opts.limit ?? 100, 1000));
}

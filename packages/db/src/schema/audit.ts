import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * The operator audit trail: every retry, cancel, redelivery, key create / revoke / secret
 * rotation, HPC account change and assignment, with who (the key name behind an /ops session,
 * or the OS user of the CLI), when, what and how it ended. Written in the same transaction as
 * the change where there is one; never holds a secret.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: uuid("id").primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    /** `ops:<key name>` or `cli:<os user>`. */
    actor: text("actor").notNull(),
    /** e.g. `task.retry`, `key.create`, `hpc_account.add`. */
    action: text("action").notNull(),
    /** What it acted on: a task id, delivery id, key name, account name… */
    target: text("target").notNull(),
    /** `ok`, or `refused` (the change was not made) with the reason in `detail`. */
    outcome: text("outcome").notNull(),
    detail: text("detail"),
  },
  (t) => [index("audit_events_at_idx").on(t.at), index("audit_events_target_idx").on(t.target)],
);

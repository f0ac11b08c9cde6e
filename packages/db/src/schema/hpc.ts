import { jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * HPC (SCNet) accounts deskgate acts for. Credentials and tokens are sealed (AES-256-GCM);
 * `hpcUrl` caches the discovered HPC base URL of the account's region. `cluster` is the cluster
 * (id or name) whose token the account uses (null = the first non-platform one); `clusterId` is
 * the cluster of the token held.
 */
export const hpcAccounts = pgTable("hpc_accounts", {
  name: text("name").primaryKey(),
  platformUser: text("platform_user").notNull(),
  orgId: text("org_id").notNull(),
  /** The tenant whose `hpc` keys may use the account; null = admin only until assigned. */
  tenant: text("tenant"),
  sealedPassword: text("sealed_password"),
  accessKey: text("access_key"),
  sealedAccessSecret: text("sealed_access_secret"),
  sealedToken: text("sealed_token"),
  tokenObtainedAt: timestamp("token_obtained_at", { withTimezone: true }),
  cluster: text("cluster"),
  clusterId: text("cluster_id"),
  hpcUrl: text("hpc_url"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** VNC sessions as last seen on the platform (seed 001's fields in `session`). */
export const vncSessions = pgTable("vnc_sessions", {
  sessionId: text("session_id").primaryKey(),
  account: text("account").notNull(),
  session: jsonb("session").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  closedAt: timestamp("closed_at", { withTimezone: true }),
});

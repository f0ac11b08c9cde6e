import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

/**
 * API keys, stored only as a SHA-256 hash (keys are 32 random bytes, so a fast hash is
 * right; the prefix is kept for display). Scopes: desktop, hpc, admin. Each key may have its
 * own webhook signing secret (sealed, `whsec_…`, made with the key); during a rotation's overlap
 * the previous one signs too.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey(),
    name: text("name").notNull(),
    keyHash: text("key_hash").notNull(),
    prefix: text("prefix").notNull(),
    scopes: text("scopes").array().notNull(),
    /**
     * The named tenant this key shares with other keys (`keys create --tenant`); null = the key
     * is its own tenant, `key:<id>`. Users, desktops, HPC accounts and tasks belong to a tenant.
     */
    tenant: text("tenant"),
    sealedSigningSecret: text("sealed_signing_secret"),
    sealedPreviousSigningSecret: text("sealed_previous_signing_secret"),
    /**
     * End of a rotation's overlap: until then the previous secret (or, when the key had none
     * of its own before, the global secret) signs beside the current one.
     */
    previousSigningSecretExpiresAt: timestamp("previous_signing_secret_expires_at", { withTimezone: true }),
    rateLimitPerMinute: integer("rate_limit_per_minute"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("api_keys_hash_idx").on(t.keyHash), uniqueIndex("api_keys_name_idx").on(t.name)],
);

/**
 * Idempotency-Key records (RELIABILITY.md 4), scoped by (API key, method, path, key).
 * The response is stored once the request completes; one holding a secret is sealed.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    id: uuid("id").primaryKey(),
    apiKeyId: uuid("api_key_id").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    key: text("key").notNull(),
    fingerprint: text("fingerprint").notNull(),
    taskId: uuid("task_id"),
    state: text("state").notNull().default("in_progress"),
    responseStatus: integer("response_status"),
    responseBody: text("response_body"),
    responseSealed: text("response_sealed"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex("idempotency_scope_idx").on(t.apiKeyId, t.method, t.path, t.key),
    index("idempotency_expires_idx").on(t.expiresAt),
  ],
);

import { createHash, randomBytes, randomUUID } from "node:crypto";
import { asc, eq, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { apiKeys } from "../schema/api-keys.ts";

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type ApiKeyScope = "desktop" | "hpc" | "admin";
export const API_KEY_SCOPES: readonly ApiKeyScope[] = ["desktop", "hpc", "admin"];

/**
 * The tenant a key acts for (docs/api.md, "Tenants"): its named tenant (`keys create
 * --tenant`), else the key alone, `key:<id>`.
 */
export function tenantOfKey(key: { id: string; tenant: string | null }): string {
  return key.tenant ?? `key:${key.id}`;
}

/** A named tenant: lower-case letters, digits, `-` and `_` (never `key:…`, a key's own). */
export const TENANT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** A new API key: `dg_` + 32 random bytes, base64url. Shown once; only its hash is stored. */
export function generateApiKey(): string {
  return `dg_${randomBytes(32).toString("base64url")}`;
}

/** Keys are 256 random bits, so a fast hash is right (no password stretching needed). */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** The part of a key that may be displayed: `dg_` and the next 6 characters. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, 9);
}

/** Create a key; returns the plaintext once (it is not stored). */
export async function createApiKey(
  db: Executor,
  input: {
    name: string;
    scopes: ApiKeyScope[];
    rateLimitPerMinute?: number | null;
    key?: string;
    /** The key's own webhook signing secret, sealed; without one the global secret signs. */
    sealedSigningSecret?: string | null;
    /** A named tenant shared with other keys; null = the key is its own tenant. */
    tenant?: string | null;
  },
): Promise<{ id: string; key: string; prefix: string }> {
  const key = input.key ?? generateApiKey();
  const id = randomUUID();
  await db.insert(apiKeys).values({
    id,
    name: input.name,
    keyHash: hashApiKey(key),
    prefix: apiKeyPrefix(key),
    scopes: input.scopes,
    rateLimitPerMinute: input.rateLimitPerMinute ?? null,
    sealedSigningSecret: input.sealedSigningSecret ?? null,
    tenant: input.tenant ?? null,
  });
  return { id, key, prefix: apiKeyPrefix(key) };
}

/**
 * Make sure `key` exists as an active key named `name` with `scopes` (the bootstrap key):
 * a changed key replaces the old one under the same name; a revoked one is restored.
 */
export async function ensureApiKey(
  db: Executor,
  input: { name: string; key: string; scopes: ApiKeyScope[] },
): Promise<void> {
  await db
    .insert(apiKeys)
    .values({
      id: randomUUID(),
      name: input.name,
      keyHash: hashApiKey(input.key),
      prefix: apiKeyPrefix(input.key),
      scopes: input.scopes,
    })
    .onConflictDoUpdate({
      target: apiKeys.name,
      set: {
        keyHash: hashApiKey(input.key),
        prefix: apiKeyPrefix(input.key),
        scopes: input.scopes,
        revokedAt: null,
      },
    });
}

/** The key with this plaintext, revoked or not (the caller decides), or undefined. */
/** NOTIFY channel of any change to `api_keys` that can alter an answer (migration 0003). */
export const API_KEYS_CHANNEL = "deskgate_api_keys";

export async function findApiKey(db: Executor, key: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.keyHash, hashApiKey(key)));
  return row;
}

export async function findApiKeyByName(db: Executor, name: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.name, name));
  return row;
}

export async function listApiKeys(db: Executor): Promise<ApiKeyRow[]> {
  return db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt));
}

/** Revoke by name; returns false when no active key has that name. */
export async function revokeApiKey(db: Executor, name: string): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(sql`${apiKeys.name} = ${name} and ${apiKeys.revokedAt} is null`)
    .returning({ id: apiKeys.id });
  return rows.length === 1;
}

/** Record use, at most once a minute per key (cheap enough to call on every request). */
export async function touchApiKey(db: Executor, id: string): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(
      sql`${apiKeys.id} = ${id} and (${apiKeys.lastUsedAt} is null or ${apiKeys.lastUsedAt} < now() - interval '1 minute')`,
    );
}

/** Whether the key holds the admin scope (revoked or not: what it could do when it asked). */
export async function keyIsAdmin(db: Executor, id: string): Promise<boolean> {
  const [row] = await db.select({ scopes: apiKeys.scopes }).from(apiKeys).where(eq(apiKeys.id, id));
  return row?.scopes.includes("admin") ?? false;
}

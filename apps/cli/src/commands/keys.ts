import { API_KEY_SCOPES, type ApiKeyScope, createApiKey, listApiKeys, revokeApiKey } from "@deskgate/db";
import type { CliContext } from "../context.ts";
import { UsageError } from "../usage.ts";

export async function keysCreate(
  ctx: CliContext,
  name: string | undefined,
  flags: { scopes?: string; "rate-limit"?: string },
) {
  if (!name) throw new UsageError("keys create <name> --scopes desktop,hpc,admin");
  const scopes = (flags.scopes ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (scopes.length === 0 || scopes.some((s) => !API_KEY_SCOPES.includes(s as ApiKeyScope))) {
    throw new UsageError(`--scopes must list some of ${API_KEY_SCOPES.join(", ")}`);
  }
  const rateLimit = flags["rate-limit"] ? Number(flags["rate-limit"]) : null;
  if (rateLimit !== null && !(Number.isInteger(rateLimit) && rateLimit > 0)) {
    throw new UsageError("--rate-limit must be a positive whole number of requests per minute");
  }
  try {
    const created = await createApiKey(ctx.database.db, {
      name,
      scopes: scopes as ApiKeyScope[],
      rateLimitPerMinute: rateLimit,
    });
    // The only time the key is ever shown.
    ctx.out.print({ name, scopes: scopes.join(","), key: created.key });
    if (!ctx.out.json)
      ctx.out.line("\nStore this key now: deskgate keeps only its hash and cannot show it again.");
  } catch (e) {
    if (isUniqueViolation(e)) throw new UsageError(`a key named ${name} exists already`);
    throw e;
  }
}

export async function keysList(ctx: CliContext) {
  const rows = (await listApiKeys(ctx.database.db)).map((k) => ({
    name: k.name,
    prefix: `${k.prefix}…`,
    scopes: k.scopes.join(","),
    rateLimitPerMinute: k.rateLimitPerMinute,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    revokedAt: k.revokedAt,
  }));
  ctx.out.print(rows, [
    "name",
    "prefix",
    "scopes",
    "rateLimitPerMinute",
    "createdAt",
    "lastUsedAt",
    "revokedAt",
  ]);
}

export async function keysRevoke(ctx: CliContext, name: string | undefined) {
  if (!name) throw new UsageError("keys revoke <name>");
  if (!(await revokeApiKey(ctx.database.db, name))) throw new UsageError(`no active key named ${name}`);
  ctx.out.print({ name, revoked: true });
}

/** PostgreSQL 23505, whether raised directly or wrapped by drizzle. */
function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; cause?: { code?: string } };
  return err.code === "23505" || err.cause?.code === "23505";
}

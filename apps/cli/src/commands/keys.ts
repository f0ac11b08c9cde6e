import {
  API_KEY_SCOPES,
  type ApiKeyScope,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  rotateSigningSecret,
} from "@deskgate/db";
import type { SecretBox } from "@deskgate/runtime";
import { generateWebhookSecret } from "@deskgate/webhooks";
import type { CliContext } from "../context.ts";
import { NotFoundError, UsageError } from "../usage.ts";
import { checkTenantName } from "./tenants.ts";

export async function keysCreate(
  ctx: CliContext,
  name: string | undefined,
  flags: { scopes?: string; tenant?: string; "rate-limit"?: string },
) {
  if (!name) throw new UsageError("missing <name>");
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
  const tenant = flags.tenant === undefined ? null : checkTenantName(flags.tenant);
  const box = requireBox(ctx, "keys create");
  const signingSecret = generateWebhookSecret();
  try {
    const created = await createApiKey(ctx.database.db, {
      name,
      scopes: scopes as ApiKeyScope[],
      rateLimitPerMinute: rateLimit,
      sealedSigningSecret: box.seal(signingSecret),
      tenant,
    });
    await ctx.audit("key.create", name, "ok", `scopes ${scopes.join(",")}, tenant ${tenant ?? "its own"}`);
    // The only time the key and its signing secret are ever shown.
    ctx.out.print({
      name,
      scopes: scopes.join(","),
      tenant: tenant ?? `key:${created.id} (its own)`,
      key: created.key,
      signing_secret: signingSecret,
    });
    if (!ctx.out.json)
      ctx.out.line(
        "\nStore both now: deskgate keeps only the key's hash and cannot show either again." +
          "\nThis key's callbacks are signed with signing_secret (Standard Webhooks, whsec_…).",
      );
  } catch (e) {
    if (isUniqueViolation(e)) {
      await ctx.audit("key.create", name, "refused", "a key of that name exists");
      throw new Error(`a key named ${name} exists already`);
    }
    throw e;
  }
}

export async function keysList(ctx: CliContext) {
  const rows = (await listApiKeys(ctx.database.db)).map((k) => ({
    name: k.name,
    prefix: `${k.prefix}…`,
    scopes: k.scopes.join(","),
    tenant: k.tenant ?? "its own",
    rateLimitPerMinute: k.rateLimitPerMinute,
    signingSecret: !k.sealedSigningSecret
      ? "global"
      : k.previousSigningSecretExpiresAt && k.previousSigningSecretExpiresAt > new Date()
        ? `own (rotating until ${k.previousSigningSecretExpiresAt.toISOString()})`
        : "own",
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    revokedAt: k.revokedAt,
  }));
  ctx.out.print(rows, [
    "name",
    "prefix",
    "scopes",
    "tenant",
    "rateLimitPerMinute",
    "signingSecret",
    "createdAt",
    "lastUsedAt",
    "revokedAt",
  ]);
}

export async function keysRevoke(ctx: CliContext, name: string | undefined) {
  if (!name) throw new UsageError("missing <name>");
  if (!(await revokeApiKey(ctx.database.db, name))) {
    await ctx.audit("key.revoke", name, "refused", "no active key of that name");
    throw new NotFoundError(`no active key named ${name}`);
  }
  await ctx.audit("key.revoke", name, "ok");
  ctx.out.print({ name, revoked: true });
}

/** The default overlap of a signing-secret rotation: a day for receivers to take the new one. */
export const DEFAULT_ROTATION_OVERLAP_HOURS = 24;

/**
 * A new signing secret for a key, shown once. The one it replaces (the key's own, or the global
 * secret for a key that had none) keeps signing beside it for the overlap, so receivers can
 * switch without missing a callback.
 */
export async function keysRotateSecret(
  ctx: CliContext,
  name: string | undefined,
  flags: { "overlap-hours"?: string },
) {
  if (!name) throw new UsageError("missing <name>");
  const hours =
    flags["overlap-hours"] === undefined ? DEFAULT_ROTATION_OVERLAP_HOURS : Number(flags["overlap-hours"]);
  if (!(Number.isFinite(hours) && hours >= 0 && hours <= 24 * 30)) {
    throw new UsageError("--overlap-hours must be a number of hours from 0 to 720");
  }
  const box = requireBox(ctx, "keys rotate-secret");
  const signingSecret = generateWebhookSecret();
  const rotated = await rotateSigningSecret(
    ctx.database.db,
    name,
    box.seal(signingSecret),
    hours * 3_600_000,
  );
  if (!rotated) {
    await ctx.audit("key.rotate_secret", name, "refused", "no active key of that name");
    throw new NotFoundError(`no active key named ${name}`);
  }
  await ctx.audit(
    "key.rotate_secret",
    name,
    "ok",
    `previous secret signs until ${rotated.overlapEndsAt.toISOString()}`,
  );
  ctx.out.print({ name, signing_secret: signingSecret, previous_signs_until: rotated.overlapEndsAt });
  if (!ctx.out.json)
    ctx.out.line("\nStore the new secret now; it is not shown again. Both sign until the time above.");
}

function requireBox(ctx: CliContext, command: string): SecretBox {
  if (!ctx.box) {
    throw new Error(
      `${command} needs DESKGATE_ENCRYPTION_KEY (the api's and worker's) to seal the key's signing secret`,
    );
  }
  return ctx.box;
}

/** PostgreSQL 23505, whether raised directly or wrapped by drizzle. */
function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; cause?: { code?: string } };
  return err.code === "23505" || err.cause?.code === "23505";
}

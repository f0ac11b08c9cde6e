import { and, eq, isNull, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { apiKeys } from "../schema/api-keys.ts";

/** Which secrets sign the callbacks of one API key's tasks. */
export interface KeySigningSecrets {
  /** The key's own sealed secrets: current first, then the previous one while its overlap lasts. */
  sealed: string[];
  /**
   * The global secret signs too: the key has no secret of its own, or it got its first one in
   * a rotation whose overlap has not ended (receivers still verify with the global one).
   */
  global: boolean;
}

export async function signingSecretsOf(db: Executor, apiKeyId: string): Promise<KeySigningSecrets> {
  const [row] = await db
    .select({
      current: apiKeys.sealedSigningSecret,
      previous: apiKeys.sealedPreviousSigningSecret,
      overlapping: sql<boolean>`coalesce(${apiKeys.previousSigningSecretExpiresAt} > now(), false)`,
    })
    .from(apiKeys)
    .where(eq(apiKeys.id, apiKeyId));
  if (!row?.current) return { sealed: [], global: true };
  if (!row.overlapping) return { sealed: [row.current], global: false };
  return row.previous
    ? { sealed: [row.current, row.previous], global: false }
    : { sealed: [row.current], global: true };
}

/**
 * Give the key named `name` a new signing secret; the one it replaces (its own, or the global
 * secret when it had none) keeps signing for `overlapMs`. False when no active key has that name.
 */
export async function rotateSigningSecret(
  db: Executor,
  name: string,
  sealedSecret: string,
  overlapMs: number,
): Promise<{ overlapEndsAt: Date } | null> {
  const [row] = await db
    .update(apiKeys)
    .set({
      sealedPreviousSigningSecret: sql`${apiKeys.sealedSigningSecret}`,
      sealedSigningSecret: sealedSecret,
      previousSigningSecretExpiresAt: sql`now() + make_interval(secs => ${overlapMs / 1000})`,
    })
    .where(and(eq(apiKeys.name, name), isNull(apiKeys.revokedAt)))
    .returning({ overlapEndsAt: apiKeys.previousSigningSecretExpiresAt });
  return row?.overlapEndsAt ? { overlapEndsAt: row.overlapEndsAt } : null;
}

/** Set a key's signing secret outright, ending any rotation (the dev stack's own key). */
export async function setSigningSecret(db: Executor, name: string, sealedSecret: string): Promise<void> {
  await db
    .update(apiKeys)
    .set({
      sealedSigningSecret: sealedSecret,
      sealedPreviousSigningSecret: null,
      previousSigningSecretExpiresAt: null,
    })
    .where(eq(apiKeys.name, name));
}

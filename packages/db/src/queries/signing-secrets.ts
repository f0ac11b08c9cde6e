import { eq } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { apiKeys } from "../schema/api-keys.ts";

/**
 * The sealed webhook signing secrets of an API key, current first, then the previous one while
 * a rotation is under way. Empty when the key has none (the global secret signs then).
 */
export async function sealedSigningSecretsOf(db: Executor, apiKeyId: string): Promise<string[]> {
  const [row] = await db
    .select({
      current: apiKeys.sealedSigningSecret,
      previous: apiKeys.sealedPreviousSigningSecret,
    })
    .from(apiKeys)
    .where(eq(apiKeys.id, apiKeyId));
  if (!row?.current) return [];
  return row.previous ? [row.current, row.previous] : [row.current];
}

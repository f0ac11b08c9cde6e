import { API_KEYS_CHANNEL, type ApiKeyRow, type Database, findApiKey } from "@deskgate/db";
import type { Logger } from "@deskgate/runtime";

export interface ApiKeyCache {
  /** The key's row (revoked ones too), or undefined for an unknown key. */
  lookup(key: string): Promise<ApiKeyRow | undefined>;
  close(): Promise<void>;
}

/** Safety net only: any change to `api_keys` drops the cache at once through NOTIFY. */
const MAX_AGE_MS = 60_000;
const MAX_ENTRIES = 10_000;

/**
 * Known API keys, kept in memory so a request does not pay a SELECT for its key. Every
 * change to `api_keys` (a new key, a revocation, other scopes, another rate) NOTIFYs every
 * api process (trigger of migration 0003), which drops its whole cache: a revoked key is
 * refused by the very next request. Rows are cached only while the LISTEN is up (postgres.js
 * re-subscribes after a reconnect, and the cache starts empty again then); unknown keys are
 * never cached, so a key created a moment ago works at once.
 */
export function createApiKeyCache(database: Database, logger: Logger): ApiKeyCache {
  const rows = new Map<string, { row: ApiKeyRow; at: number }>();
  let live = false;
  let generation = 0;
  const listening = database.sql
    .listen(
      API_KEYS_CHANNEL,
      () => {
        generation++;
        rows.clear();
      },
      () => {
        generation++;
        rows.clear();
        live = true;
      },
    )
    .catch((error: unknown) => {
      live = false;
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, "api key listener failed");
      return null;
    });

  return {
    async lookup(key) {
      const hit = rows.get(key);
      if (hit && Date.now() - hit.at < MAX_AGE_MS) return hit.row;
      const seen = generation;
      const row = await findApiKey(database.db, key);
      // a change that arrived while we read may not be in `row`: keep it only if none did
      if (row && live && seen === generation) {
        if (rows.size >= MAX_ENTRIES) rows.clear();
        rows.set(key, { row, at: Date.now() });
      }
      return row;
    },
    async close() {
      live = false;
      rows.clear();
      await (await listening)?.unlisten();
    },
  };
}

import { randomUUID } from "node:crypto";
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
/** How often the cache pings itself through its channel, and how long a silence it tolerates. */
const HEARTBEAT_MS = 5_000;
const STALE_MS = 12_000;
const PING = "ping:";

/**
 * Known API keys, kept in memory so a request does not pay a SELECT for its key. Every
 * change to `api_keys` (a new key, a revocation, other scopes, another rate) NOTIFYs every
 * api process (trigger of migration 0003), which drops its whole cache: a revoked key is
 * refused by the very next request. Rows are cached only while the LISTEN is up (postgres.js
 * re-subscribes after a reconnect, and the cache starts empty again then); unknown keys are
 * never cached, so a key created a moment ago works at once.
 *
 * A LISTEN connection can drop without a word until postgres.js reconnects, and a revocation
 * NOTIFYed meanwhile is lost: so the cache pings itself through the channel every 5 s and, when
 * it has heard nothing for 12 s, trusts nothing it holds (every lookup reads the table) until the
 * channel speaks again (issue 17.10). Pings (`ping:<id>`) never drop anyone's cache.
 */
export function createApiKeyCache(
  database: Pick<Database, "db" | "sql">,
  logger: Logger,
  opts: { heartbeatMs?: number; staleMs?: number } = {},
): ApiKeyCache {
  const staleMs = opts.staleMs ?? STALE_MS;
  const rows = new Map<string, { row: ApiKeyRow; at: number }>();
  let live = false;
  let generation = 0;
  let heardAt = 0;
  const changed = () => {
    generation++;
    rows.clear();
  };
  const listening = database.sql
    .listen(
      API_KEYS_CHANNEL,
      (payload) => {
        heardAt = Date.now();
        if (!payload.startsWith(PING)) changed();
      },
      () => {
        heardAt = Date.now();
        changed();
        live = true;
      },
    )
    .catch((error: unknown) => {
      live = false;
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, "api key listener failed");
      return null;
    });

  const ping = `${PING}${randomUUID()}`;
  const heartbeat = setInterval(() => {
    database.sql`select pg_notify(${API_KEYS_CHANNEL}, ${ping})`.catch(() => {});
  }, opts.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();
  const trusted = () => live && Date.now() - heardAt < staleMs;

  return {
    async lookup(key) {
      if (!trusted()) rows.clear();
      const hit = rows.get(key);
      if (hit && Date.now() - hit.at < MAX_AGE_MS) return hit.row;
      const seen = generation;
      const row = await findApiKey(database.db, key);
      // a change that arrived while we read may not be in `row`: keep it only if none did
      if (row && trusted() && seen === generation) {
        if (rows.size >= MAX_ENTRIES) rows.clear();
        rows.set(key, { row, at: Date.now() });
      }
      return row;
    },
    async close() {
      clearInterval(heartbeat);
      live = false;
      rows.clear();
      await (await listening)?.unlisten();
    },
  };
}

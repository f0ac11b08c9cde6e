import { createApiKey, revokeApiKey } from "@deskgate/db";
import { createLogger } from "@deskgate/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKeyCache } from "../src/services/api-key-cache.ts";
import { type Stack, startStack } from "./support/stack.ts";

/**
 * The API-key cache trusts what it holds only while its LISTEN channel is heard (issue 17.10):
 * a revocation NOTIFYed while the LISTEN connection is down is lost, so a silent channel must
 * make the cache read the table again. Real PostgreSQL; a "deaf" listener stands in for a
 * LISTEN connection that dropped without a word.
 */
let stack: Stack;
const logger = createLogger({ name: "test", level: "silent" });

beforeAll(async () => {
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  await stack?.stop();
});

/** The stack's database, but a LISTEN that subscribes once and then hears nothing. */
function deafDatabase() {
  const { sql } = stack.database;
  const deaf = new Proxy(sql, {
    get(target, prop, receiver) {
      if (prop !== "listen") return Reflect.get(target, prop, receiver);
      return async (_channel: string, _fn: unknown, onlisten?: () => void) => {
        onlisten?.();
        return { state: {}, unlisten: async () => {} };
      };
    },
  });
  return { db: stack.database.db, sql: deaf };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("API key cache", () => {
  it("a revocation reaches a cache whose channel is alive at once (NOTIFY)", async () => {
    const cache = createApiKeyCache(stack.database, logger);
    const { key } = await createApiKey(stack.database.db, { name: "live-1", scopes: ["desktop"] });
    await sleep(100); // subscribed
    expect((await cache.lookup(key))?.revokedAt).toBeNull();
    await revokeApiKey(stack.database.db, "live-1");
    await sleep(200);
    expect((await cache.lookup(key))?.revokedAt).not.toBeNull();
    await cache.close();
  });

  it("with its channel silent past the limit, it reads the table: a revocation it never heard of is seen", async () => {
    const cache = createApiKeyCache(deafDatabase() as never, logger, { heartbeatMs: 50, staleMs: 300 });
    const { key } = await createApiKey(stack.database.db, { name: "deaf-1", scopes: ["desktop"] });
    expect((await cache.lookup(key))?.revokedAt).toBeNull(); // cached while the channel was heard
    await revokeApiKey(stack.database.db, "deaf-1"); // its NOTIFY never reaches this cache
    expect((await cache.lookup(key))?.revokedAt).toBeNull(); // still within the tolerated silence
    await sleep(400);
    expect((await cache.lookup(key))?.revokedAt).not.toBeNull();
    await cache.close();
  });
});

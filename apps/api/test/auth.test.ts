import { connect, createApiKey, revokeApiKey } from "@deskgate/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REQUEST_EXAMPLES } from "../src/openapi/examples.ts";
import { describeAuth, type RouteUnderTest } from "./support/auth-suite.ts";
import { startReceiver } from "./support/receiver.ts";
import { HPC_ACCOUNT, type Stack, startStack } from "./support/stack.ts";

let stack: Stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let revoked: string;
let resets = 0;
let user: { username: string; desktop_uuid: string };
let ownTask: string;

beforeAll(async () => {
  [stack, receiver] = await Promise.all([startStack(), startReceiver()]);
  revoked = (await createApiKey(stack.database.db, { name: "revoked", scopes: ["admin"] })).key;
  await revokeApiKey(stack.database.db, "revoked");
  const res = await stack.call("POST", "/api/desktop/apply", {
    key: stack.keys.desktop,
    body: { ...REQUEST_EXAMPLES["/api/desktop/apply"], callback_url: receiver.url },
  });
  ownTask = ((await res.json()) as { data: { task_id: string } }).data.task_id;
  await receiver.waitFor(1);
  user = receiver.received[0]!.body.data as typeof user;
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

const routes: [string, RouteUnderTest][] = [
  [
    "POST /api/desktop/apply",
    {
      method: "POST",
      path: () => "/api/desktop/apply",
      body: () => ({ ...REQUEST_EXAMPLES["/api/desktop/apply"], callback_url: receiver.url }),
      scope: "desktop",
    },
  ],
  [
    "POST /api/desktop/resource-update",
    {
      method: "POST",
      path: () => "/api/desktop/resource-update",
      body: () => ({
        desktop_uuid: user.desktop_uuid,
        cpu: 4,
        memory: 8 * 1024 ** 3,
        callback_url: receiver.url,
      }),
      scope: "desktop",
    },
  ],
  [
    "POST /api/desktop/policy-update",
    {
      method: "POST",
      path: () => "/api/desktop/policy-update",
      body: () => ({ desktop_uuid: user.desktop_uuid, "usb-enable": true }),
      scope: "desktop",
    },
  ],
  [
    "POST /api/user/pwd-reset",
    {
      method: "POST",
      path: () => "/api/user/pwd-reset",
      // a fresh password each time: the platform refuses one the user had recently
      body: () => ({ username: user.username, password: `Auth-Pass-${++resets}-x9` }),
      scope: "desktop",
    },
  ],
  [
    "GET /api/user/{username}/desktops",
    { method: "GET", path: () => `/api/user/${user.username}/desktops`, scope: "desktop" },
  ],
  [
    "GET /api/desktop/{uuid}/volumes",
    { method: "GET", path: () => `/api/desktop/${user.desktop_uuid}/volumes`, scope: "desktop" },
  ],
  ["PUT /api/hpc/{account}/vnc", { method: "PUT", path: () => `/api/hpc/${HPC_ACCOUNT}/vnc`, scope: "hpc" }],
  ["GET /api/hpc/{account}/vnc", { method: "GET", path: () => `/api/hpc/${HPC_ACCOUNT}/vnc`, scope: "hpc" }],
  [
    "DELETE /api/hpc/{account}/vnc/{sessionId}",
    { method: "DELETE", path: () => `/api/hpc/${HPC_ACCOUNT}/vnc/no-such-session`, scope: "hpc" },
  ],
];

for (const [name, route] of routes)
  describeAuth(
    name,
    () => stack,
    route,
    () => revoked,
  );

describe("GET /api/tasks/{task_id}: each key sees only its own tasks", () => {
  it("no key → 401 with data null", async () => {
    const res = await stack.call("GET", `/api/tasks/${ownTask}`, { key: null });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ data: null, status: -1, message: "Missing or unknown API key" });
  });
  it("the creating key sees it", async () => {
    const res = await stack.call("GET", `/api/tasks/${ownTask}`, { key: stack.keys.desktop });
    expect(res.status).toBe(200);
  });
  it("another non-admin key gets 404, as for an unknown task", async () => {
    const res = await stack.call("GET", `/api/tasks/${ownTask}`, { key: stack.keys.hpc });
    expect(res.status).toBe(404);
  });
  it("an admin key sees every task", async () => {
    const res = await stack.call("GET", `/api/tasks/${ownTask}`, { key: stack.keys.admin });
    expect(res.status).toBe(200);
  });
  it("a revoked key → 401", async () => {
    const res = await stack.call("GET", `/api/tasks/${ownTask}`, { key: revoked });
    expect(res.status).toBe(401);
  });
  it("a key in use stops working as soon as another process revokes it or narrows its scopes", async () => {
    // keys are cached per api process; the change arrives through NOTIFY (migration 0003)
    const { key } = await createApiKey(stack.database.db, { name: "short-lived", scopes: ["admin"] });
    const get = () => stack.call("GET", `/api/tasks/${ownTask}`, { key }).then((r) => r.status);
    expect(await get()).toBe(200);
    expect(await get()).toBe(200); // served from the cache now
    const other = connect(stack.databaseUrl, { max: 1 }); // e.g. `pnpm deskgate keys revoke`
    try {
      await other.sql`update api_keys set scopes = '{hpc}' where name = 'short-lived'`;
      await expect.poll(get, { timeout: 2000, interval: 10 }).toBe(404);
      await revokeApiKey(other.db, "short-lived");
      await expect.poll(get, { timeout: 2000, interval: 10 }).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe("keys", () => {
  it("are stored only as a SHA-256 hash, with a display prefix", async () => {
    const rows = await stack.database.sql<
      { key_hash: string; prefix: string }[]
    >`select key_hash, prefix from api_keys`;
    for (const row of rows) {
      expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.prefix).toMatch(/^dg_.{6}$/);
    }
    expect(JSON.stringify(rows)).not.toContain(stack.keys.admin);
    expect(stack.keys.admin).toMatch(/^dg_[A-Za-z0-9_-]{43}$/);
  });
});

import { randomBytes } from "node:crypto";
import { connect, type Database, ensureQueues } from "@deskgate/db";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApp } from "../src/app.ts";
import { type Stack, startStack } from "./support/stack.ts";

let stack: Stack;
let empty: Database;
const emptyName = `${inject("deskgateTestDb").prefix}empty_${randomBytes(3).toString("hex")}`;

/** A statement on the test server's admin connection (a database that was never migrated). */
async function admin(statement: string): Promise<void> {
  const server = connect(inject("deskgateTestDb").adminUrl, { max: 1 });
  try {
    await server.sql.unsafe(statement);
  } finally {
    await server.close();
  }
}

beforeAll(async () => {
  stack = await startStack({ worker: false, metrics: true });
  await admin(`create database ${emptyName}`);
  empty = connect(inject("deskgateTestDb").serverUrlPattern.replace("__DB__", emptyName), { max: 1 });
});
afterAll(async () => {
  await empty?.close();
  await admin(`drop database if exists ${emptyName} with (force)`);
  await stack?.stop();
});

describe("probes", () => {
  it("/healthz and /readyz answer 200 without a key on a migrated database", async () => {
    const health = await stack.call("GET", "/healthz", { key: null });
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await stack.call("GET", "/readyz", { key: null });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ok" });
  });

  it("/readyz answers 503 with the reason when migrations are missing or the database is down", async () => {
    const unmigrated = createApp({ ...stack.appDeps, database: empty });
    const res = await unmigrated.request("/readyz");
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: "unavailable",
      reason: expect.stringMatching(/^migrations pending: 0 of \d+ applied$/),
    });
    expect((await unmigrated.request("/healthz")).status).toBe(200);

    const nowhere = connect("postgres://nobody@127.0.0.1:1/none", { max: 1 });
    try {
      const down = await createApp({ ...stack.appDeps, database: nowhere }).request("/readyz");
      expect(down.status).toBe(503);
      expect(((await down.json()) as { reason: string }).reason).toMatch(/^database unavailable: /);
    } finally {
      await nowhere.close();
    }
  });
});

describe("/metrics", () => {
  it("counts requests by route pattern, method and status, without a key", async () => {
    const id = "00000000-0000-4000-8000-00000000abcd";
    expect((await stack.get(`/api/tasks/${id}`)).status).toBe(404);
    await stack.call("GET", "/nowhere/at/all", { key: null });
    const res = await stack.call("GET", "/metrics", { key: null });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toMatch(
      /^deskgate_http_requests_total\{route="\/api\/tasks\/:task_id",method="GET",status="404",service="api"\} 1$/m,
    );
    expect(text).not.toContain(id); // patterns, never raw paths
    expect(text).not.toContain("/nowhere");
    expect(text).toContain("deskgate_http_request_duration_seconds_bucket");
    expect(text).toContain("process_cpu_user_seconds_total");
  });

  it("shows queue depths from ops_queue_depth at scrape time", async () => {
    const { boss } = stack.appDeps;
    await ensureQueues(boss);
    await boss.send("platform.reconcile", {}, { startAfter: 3600 });
    const text = await (await stack.call("GET", "/metrics", { key: null })).text();
    expect(text).toMatch(
      /^deskgate_queue_depth\{queue="platform.reconcile",state="created",service="api"\} 1$/m,
    );
  });

  it("asks for the metrics token when one is configured (DESKGATE_METRICS_TOKEN)", async () => {
    const guarded = createApp({ ...stack.appDeps, metricsToken: "metrics-token-0123456789" });
    const none = await guarded.request("/metrics");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
    expect(
      (await guarded.request("/metrics", { headers: { authorization: "Bearer wrong-token" } })).status,
    ).toBe(401);
    const ok = await guarded.request("/metrics", {
      headers: { authorization: "Bearer metrics-token-0123456789" },
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("deskgate_http_requests_total");
  });

  it("is absent when metrics are off", async () => {
    const off = createApp({ ...stack.appDeps, metrics: undefined });
    expect((await off.request("/metrics")).status).toBe(404);
  });
});

import { createApiKey } from "@deskgate/db";
import { createLogger, createSecretBox } from "@deskgate/runtime";
import { parseAllowlist } from "@deskgate/webhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { DEFAULT_DISK_LIMITS } from "../src/deps.ts";
import { createRateLimiter } from "../src/middleware/rate-limit.ts";
import { envelopeOf } from "./support/eventually.ts";
import { GIB, seedMirror } from "./support/seed.ts";
import { DESKTOP_TENANT, type Stack, startStack } from "./support/stack.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false, syncTimeoutMs: 200, defaultRateLimitPerMinute: 1_000_000 });
  await seedMirror(stack);
});
afterAll(async () => {
  await stack?.stop();
});

const cb = "http://127.0.0.1:9/cb";

describe("rate limit", () => {
  it("over the key's limit → 429 envelope with Retry-After; other keys unaffected", async () => {
    const { key } = await createApiKey(stack.database.db, {
      name: "slow",
      scopes: ["desktop"],
      tenant: DESKTOP_TENANT, // the seeded user's
      rateLimitPerMinute: 3,
    });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 5; i++) {
      last = await stack.call("GET", "/api/user/xxx_01/desktops", { key });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const retryAfter = Number(last!.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await envelopeOf(last!)).toEqual({ data: [], status: -1, message: "Too many requests" });
    const post = await stack.call("POST", "/api/desktop/apply", { key, body: {} });
    expect(post.status).toBe(429);
    expect((await envelopeOf(post)).status).toBe("-1");
    expect((await stack.get("/api/user/xxx_01/desktops")).status).toBe(200);
  });
});

describe("framework-level answers are envelopes too", () => {
  it("405 on a known path with another method, with Allow", async () => {
    const res = await stack.call("GET", "/api/desktop/apply");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(await res.json()).toEqual({ data: [], status: -1, message: "Method not allowed" });
    const del = await stack.call("DELETE", "/api/user/xxx_01/desktops");
    expect(del.status).toBe(405);
    expect(del.headers.get("allow")).toBe("GET, HEAD");
    expect(await del.json()).toEqual({ data: {}, message: "Method not allowed", status: "-1" });
    const patch = await stack.call("PATCH", "/api/hpc/lab/vnc");
    expect(patch.status).toBe(405);
    expect(patch.headers.get("allow")).toBe("PUT, GET, HEAD");
  });

  it("404 for an unknown route, as an envelope", async () => {
    const res = await stack.call("POST", "/api/nothing", { body: {} });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ data: {}, message: "No route for POST /api/nothing", status: "-1" });
  });

  it("413 for a body over 64 KiB, before any key check", async () => {
    const res = await stack.call("POST", "/api/desktop/apply", {
      body: { x: "y".repeat(66_000) },
      key: null,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ data: {}, message: "The request body is too large", status: "-1" });
  });

  it("413 for a chunked body (no Content-Length) once it passes 64 KiB", async () => {
    const chunks = async function* () {
      yield '{"username":"';
      for (let i = 0; i < 70; i++) yield "y".repeat(1024);
      yield '"}';
    };
    const res = await fetch(`${stack.apiUrl}/api/desktop/apply`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${stack.keys.admin}` },
      body: ReadableStream.from(chunks()),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ data: {}, message: "The request body is too large", status: "-1" });
  });

  it("503 (not a hang) when the database is unreachable", async () => {
    const { connect, findApiKey } = await import("@deskgate/db");
    const dead = connect("postgres://nobody@127.0.0.1:1/none?connect_timeout=2", { max: 1 });
    const app = createApp({
      database: dead,
      boss: {} as never,
      intake: { submit: async () => Promise.reject(new Error("unused")) },
      logger: createLogger({ name: "test", level: "silent" }),
      box: createSecretBox(Buffer.alloc(32)),
      callbackPolicy: parseAllowlist(""),
      osImages: {},
      bodyLimitBytes: 65536,
      waiter: { waitForEnd: async () => false, nudge: async () => {}, close: async () => {} },
      syncTimeoutMs: 100,
      apiKeys: { lookup: (key) => findApiKey(dead.db, key), close: async () => {} },
      rateLimiter: createRateLimiter(),
      authThrottle: createRateLimiter(),
      authFailuresPerMinute: 30,
      defaultRateLimitPerMinute: 10,
      idempotencyTtlSeconds: 60,
      diskLimits: DEFAULT_DISK_LIMITS,
      catalog: stack.appDeps.catalog,
    });
    const started = Date.now();
    const res = await app.request("/api/user/x/desktops", { headers: { authorization: "Bearer dg_x" } });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(await res.json()).toEqual({
      data: [],
      status: -1,
      message: "The service is temporarily unavailable; try again shortly",
    });
    expect(Date.now() - started).toBeLessThan(5000);
    // tRPC: SERVICE_UNAVAILABLE (HTTP 503) with the same words, not INTERNAL_SERVER_ERROR
    const trpc = await app.request(
      "/trpc/tasks.get?input=%7B%22task_id%22%3A%2200000000-0000-4000-8000-000000000000%22%7D",
      {
        headers: { authorization: "Bearer dg_x" },
      },
    );
    expect(trpc.status).toBe(503);
    const error = ((await trpc.json()) as { error: { message: string; data: { code: string } } }).error;
    expect(error).toMatchObject({
      message: "The service is temporarily unavailable; try again shortly",
      data: { code: "SERVICE_UNAVAILABLE" },
    });
    await dead.close();
  });
});

describe("resource-update: decisions at request time (SPEC 2.2)", () => {
  const post = (body: Record<string, unknown>) =>
    stack.post("/api/desktop/resource-update", { callback_url: cb, ...body });

  it("an unknown desktop → 404", async () => {
    const res = await post({ desktop_uuid: "nope", cpu: 2 });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ data: {}, message: "desktop nope is not known", status: "-1" });
  });

  it("several data disks and no volume_uuid → 400 listing them", async () => {
    const res = await post({ desktop_uuid: "desk-two-disks", disk: 40 * GIB });
    expect(res.status).toBe(400);
    const { message } = await envelopeOf(res);
    expect(message).toContain("has 2 data disks; pass volume_uuid");
    expect(message).toContain(`vol-b1 (data-b1, ${20 * GIB} bytes)`);
    expect(message).toContain(`vol-b2 (data-b2, ${30 * GIB} bytes)`);
  });

  it("a volume_uuid that is not the desktop's → 400", async () => {
    const res = await post({ desktop_uuid: "desk-two-disks", disk: 40 * GIB, volume_uuid: "vol-a" });
    expect(res.status).toBe(400);
    expect((await envelopeOf(res)).message).toMatch(
      /^volume_uuid: vol-a is not a data disk of desktop desk-two-disks/,
    );
  });

  it("a disk target below the current size → 400 (disks only grow)", async () => {
    const res = await post({ desktop_uuid: "desk-one-disk", disk: 10 * GIB });
    expect(res.status).toBe(400);
    expect((await envelopeOf(res)).message).toContain("below the current size of data disk vol-a");
    const chosen = await post({ desktop_uuid: "desk-two-disks", disk: 25 * GIB, volume_uuid: "vol-b2" });
    expect(chosen.status).toBe(400);
  });

  it("a disk target beyond 32760 GB → 400 with the limits", async () => {
    const res = await post({ desktop_uuid: "desk-one-disk", disk: 40_000 * GIB });
    expect(res.status).toBe(400);
    expect((await envelopeOf(res)).message).toContain("10 GB to 32760 GB");
  });

  it("accepted: grow the one disk, grow a chosen one, a new disk, cpu only", async () => {
    const before = (await stack.counts()).tasks;
    for (const body of [
      { desktop_uuid: "desk-one-disk", disk: 60 * GIB },
      { desktop_uuid: "desk-one-disk", disk: 50 * GIB },
      { desktop_uuid: "desk-two-disks", disk: 40 * GIB, volume_uuid: "vol-b1" },
      { desktop_uuid: "5f0e9b8a-2c1d-4e3f-9a7b-6c5d4e3f2a1b", disk: 20 * GIB },
      { desktop_uuid: "desk-two-disks", cpu: 4 },
    ]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(200);
    }
    expect((await stack.counts()).tasks - before).toBe(5);
  });
});

import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createTRPCClient, httpLink, type TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { createRateLimiter } from "../src/middleware/rate-limit.ts";
import type { AppRouter } from "../src/trpc/router.ts";
import { opsLogin } from "./support/ops-session.ts";
import { type Stack, startStack } from "./support/stack.ts";

/**
 * Failed authentication is throttled per client address (issue 17.9): past the limit in a
 * minute, REST, tRPC and /ops/login answer 429 with Retry-After for that address — a good key
 * too, so guessing stops — until the minute ends (a test clock here). Real HTTP.
 */
const LIMIT = 5;
let stack: Stack;
let clock = Date.parse("2026-12-07T10:00:05Z");
let server: ReturnType<typeof serve>;
let url: string;

beforeAll(async () => {
  stack = await startStack({ worker: false });
  const app = createApp({
    ...stack.appDeps,
    authThrottle: createRateLimiter({ now: () => clock }),
    authFailuresPerMinute: LIMIT,
  });
  server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server?.close(() => r()));
  await stack?.stop();
});

const get = (key?: string) =>
  fetch(`${url}/api/tasks/00000000-0000-4000-8000-000000000000`, {
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });
const nextMinute = () => {
  clock += 60_000;
};

describe("failed-authentication throttle", () => {
  it("REST: 401 up to the limit, then 429 with Retry-After, even for a good key; the next minute, free", async () => {
    for (let i = 0; i < LIMIT; i++) expect((await get(`dg_guess_${i}`)).status).toBe(401);
    const refused = await get("dg_guess_more");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBe(55);
    expect(((await refused.json()) as { status: number }).status).toBe(-1);
    expect((await get(stack.keys.admin)).status).toBe(429);
    nextMinute();
    expect((await get(stack.keys.admin)).status).toBe(404); // an unknown task: the key was checked
  });

  it("requests with no key at all are not counted as guesses", async () => {
    nextMinute();
    for (let i = 0; i < LIMIT * 3; i++) expect((await get()).status).toBe(401);
    expect((await get(stack.keys.admin)).status).toBe(404);
  });

  it("tRPC and /ops/login count and refuse alike", async () => {
    nextMinute();
    const trpc = (key: string) =>
      createTRPCClient<AppRouter>({
        links: [httpLink({ url: `${url}/trpc`, headers: { authorization: `Bearer ${key}` } })],
      });
    const codeOf = async (key: string) => {
      try {
        await trpc(key).tasks.get.query({ task_id: "00000000-0000-4000-8000-000000000000" });
      } catch (e) {
        return (e as TRPCClientError<AppRouter>).data?.code;
      }
    };
    for (let i = 0; i < LIMIT - 1; i++) expect(await codeOf(`dg_guess_${i}`)).toBe("UNAUTHORIZED");
    const bad = await opsLogin(url, "dg_guess_login");
    expect(bad.res.status).toBe(401);
    expect(await codeOf("dg_one_more")).toBe("TOO_MANY_REQUESTS");
    const login = await opsLogin(url, stack.keys.admin);
    expect(login.res.status).toBe(429);
    expect(login.res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(login.setCookie).toBe("");
    expect(await login.res.text()).toContain("Too many attempts");
    nextMinute();
    expect(await codeOf(stack.keys.admin)).toBe("NOT_FOUND");
  });
});

import { createHash } from "node:crypto";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJson } from "../src/services/idempotency.ts";
import type { AppRouter } from "../src/trpc/router.ts";
import { opsGet, opsLogin } from "./support/ops-session.ts";
import { seedMirror } from "./support/seed.ts";
import { HPC_ACCOUNT, type Stack, startStack } from "./support/stack.ts";

/**
 * Inputs of a live attack run that answered 500 (issue 17.7), and the idempotency fingerprint
 * that allowed offline guessing of a password (17.8): each now a clear 4xx in the endpoint's
 * envelope, nothing written. Real PostgreSQL and HTTP; no worker (nothing here needs one).
 */
let stack: Stack;
let trpc: ReturnType<typeof createTRPCClient<AppRouter>>;

beforeAll(async () => {
  stack = await startStack({ worker: false, syncTimeoutMs: 50 });
  await seedMirror(stack);
  trpc = createTRPCClient<AppRouter>({
    links: [
      httpLink({ url: `${stack.apiUrl}/trpc`, headers: { authorization: `Bearer ${stack.keys.admin}` } }),
    ],
  });
});
afterAll(async () => {
  await stack?.stop();
});

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof TRPCClientError) return (e as TRPCClientError<AppRouter>).data?.code;
    throw e;
  }
  return "resolved";
}

describe("500s that are 400s (issue 17.7)", () => {
  it("a 20 000-deep JSON body with an Idempotency-Key → 400, nothing written", async () => {
    const before = await stack.counts();
    for (const body of [
      "[".repeat(20_000) + "]".repeat(20_000),
      `{"a":${"[".repeat(20_000)}${"]".repeat(20_000)}}`,
    ]) {
      const res = await stack.call("POST", "/api/desktop/apply", {
        body,
        headers: { "idempotency-key": "deep-1" },
      });
      expect(res.status).toBe(400);
      const envelope = (await res.json()) as { status: string; message: string };
      expect(envelope.status).toBe("-1");
    }
    const nested = await stack.call("POST", "/api/desktop/apply", {
      body: `{"a":${"[".repeat(20_000)}${"]".repeat(20_000)}}`,
      headers: { "idempotency-key": "deep-2" },
    });
    expect(((await nested.json()) as { message: string }).message).toBe(
      "The request body is nested too deeply (at most 32 levels)",
    );
    expect(await stack.counts()).toEqual(before);
    const [row] = await stack.database.sql`select count(*)::int as n from idempotency_keys`;
    expect(row!.n).toBe(0);
  });

  it("GET /api/tasks/ + 36 dashes → 400 naming task_id", async () => {
    const res = await stack.get(`/api/tasks/${"-".repeat(36)}`);
    expect(res.status).toBe(400);
    // the envelope of this path's other failures (GET: numeric status)
    expect(await res.json()).toEqual({
      data: null,
      message: "task_id: must be a task id (UUID)",
      status: -1,
    });
  });

  it("/ops?q= + 36 dashes searches (nothing found), and a login `next` with CR/LF goes to /ops", async () => {
    const { cookie } = await opsLogin(stack.apiUrl, stack.keys.admin);
    const search = await opsGet(stack.apiUrl, `/ops?q=${"-".repeat(36)}`, cookie);
    expect(search.status).toBe(200);
    const nul = await opsGet(stack.apiUrl, "/ops?q=%00", cookie); // found by the fuzz drill: was 500
    expect(nul.status).toBe(200);
    const login = await opsLogin(stack.apiUrl, stack.keys.admin, "/ops\r\nSet-Cookie: evil=1");
    expect(login.res.status).toBe(303);
    expect(login.res.headers.get("location")).toBe("/ops");
    const again = await opsGet(stack.apiUrl, `/ops/login?next=${encodeURIComponent("/ops\r\nX: y")}`, cookie);
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe("/ops");
  });

  it("tRPC takes the REST contracts' path schemas: NUL and `../` are BAD_REQUEST, as on REST", async () => {
    expect(await codeOf(trpc.desktop.volumes.query({ desktop_uuid: "a\u0000b" }))).toBe("BAD_REQUEST");
    expect(await codeOf(trpc.hpc.vncClose.mutate({ account: HPC_ACCOUNT, sessionId: "a\u0000b" }))).toBe(
      "BAD_REQUEST",
    );
    expect(
      await codeOf(trpc.hpc.vncClose.mutate({ account: HPC_ACCOUNT, sessionId: "../../ac/openapi" })),
    ).toBe("BAD_REQUEST");
    const rest = await stack.call("DELETE", `/api/hpc/${HPC_ACCOUNT}/vnc/..%2F..%2Fac`);
    expect(rest.status).toBe(400);
    expect(await stack.counts()).toMatchObject({ tasks: 0 });
  });
});

describe("tRPC hpc.vncList not ready within the bound", () => {
  it("is TIMEOUT naming its task, not an empty list that reads as no sessions", async () => {
    const error = await trpc.hpc.vncList.query({ account: HPC_ACCOUNT }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    const e = error as TRPCClientError<AppRouter>;
    expect(e.data?.code).toBe("TIMEOUT");
    const taskId = /task ([0-9a-f-]{36})/.exec(e.message)?.[1];
    const [row] = await stack.database.sql`select kind from tasks where id = ${taskId!}`;
    expect(row?.kind).toBe("hpc.vnc_list");
  });
});

describe("Idempotency-Key fingerprints are keyed (issue 17.8)", () => {
  it("a pwd-reset's stored fingerprint is an HMAC, not the body's SHA-256; the same body still replays", async () => {
    const body = { username: "xxx_01", password: "Guessable-Pass-1" };
    const headers = { "idempotency-key": "pwd-fp-1" };
    const first = await stack.post("/api/user/pwd-reset", body, headers);
    expect(first.status).toBe(202); // no worker: still running after the bound
    const [row] = await stack.database.sql<{ fingerprint: string }[]>`
      select fingerprint from idempotency_keys where key = 'pwd-fp-1'`;
    const plain = createHash("sha256").update(canonicalJson(body)).digest("hex");
    expect(row!.fingerprint).toMatch(/^h1:[0-9a-f]{64}$/);
    expect(row!.fingerprint).not.toContain(plain);
    const replay = await stack.post("/api/user/pwd-reset", body, headers);
    expect(replay.status).toBe(409); // the same request, still in progress: not a mismatch
    const other = await stack.post("/api/user/pwd-reset", { ...body, password: "Other-Pass-22" }, headers);
    expect(other.status).toBe(422);
  });

  it("a record stored before keyed fingerprints (plain SHA-256) still matches its body", async () => {
    const body = { desktop_uuid: "desk-one-disk", "usb-enable": true };
    const headers = { "idempotency-key": "legacy-1" };
    const first = await stack.post("/api/desktop/policy-update", body, headers);
    expect(first.status).toBe(202);
    const plain = createHash("sha256").update(canonicalJson(body)).digest("hex");
    await stack.database.sql`update idempotency_keys set fingerprint = ${plain} where key = 'legacy-1'`;
    expect((await stack.post("/api/desktop/policy-update", body, headers)).status).toBe(409);
    const changed = await stack.post("/api/desktop/policy-update", { ...body, "usb-enable": false }, headers);
    expect(changed.status).toBe(422);
  });
});

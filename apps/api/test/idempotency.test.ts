import { finishTask, saveProgress } from "@deskgate/db";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REQUEST_EXAMPLES } from "../src/openapi/examples.ts";
import type { AppRouter } from "../src/trpc/router.ts";
import { envelopeOf, eventually } from "./support/eventually.ts";
import { seedMirror } from "./support/seed.ts";
import { type Stack, startStack } from "./support/stack.ts";

/**
 * Idempotency-Key (RELIABILITY.md 4) and synchronous waiting, on the api's own: no worker
 * runs, so tasks stay queued until a test ends them the way the worker does (`finishTask`,
 * which NOTIFYs TASK_DONE_CHANNEL).
 */
let stack: Stack;
let desktopUuid: string;
const SYNC_MS = 2000;

beforeAll(async () => {
  stack = await startStack({ worker: false, syncTimeoutMs: SYNC_MS });
  ({ desktopUuid } = await seedMirror(stack));
});
afterAll(async () => {
  await stack?.stop();
});

const apply = (n: number) => ({ ...REQUEST_EXAMPLES["/api/desktop/apply"], username: `idem${n}` });
const withKey = (key: string, extra: Record<string, string> = {}) => ({ "idempotency-key": key, ...extra });

/** The queued task of a kind that a request sent after `since` committed. */
const queuedTask = (kind: string, since: Date) =>
  eventually(async () => {
    const [row] = await stack.database.sql<{ id: string }[]>`
      select id from tasks where kind = ${kind} and state = 'queued' and created_at >= ${since}
      order by created_at desc limit 1`;
    return row?.id;
  });
const dbNow = async () => (await stack.database.sql<{ now: Date }[]>`select now()`)[0]!.now;

describe("Idempotency-Key on an async POST", () => {
  it("20 parallel identical requests → one task, one job, 20 identical answers", async () => {
    const before = await stack.counts();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => stack.post("/api/desktop/apply", apply(1), withKey("race-1"))),
    );
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(bodies).size).toBe(1);
    const after = await stack.counts();
    expect({ tasks: after.tasks - before.tasks, jobs: after.jobs - before.jobs }).toEqual({
      tasks: 1,
      jobs: 1,
    });
    const taskId = JSON.parse(bodies[0]!).data.task_id;
    const [row] = await stack.database
      .sql`select task_id, state, expires_at - created_at as ttl from idempotency_keys where key = 'race-1'`;
    expect(row).toMatchObject({ task_id: taskId, state: "done" });
  });

  it("a later replay answers the same, marked Idempotent-Replayed", async () => {
    const first = await stack.post("/api/desktop/apply", apply(2), withKey("replay-1"));
    const again = await stack.post("/api/desktop/apply", apply(2), withKey("replay-1"));
    expect(await again.text()).toBe(await first.text());
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });

  it("same key, key order and whitespace aside, is the same body", async () => {
    const a = await stack.post("/api/desktop/apply", apply(3), withKey("canon-1"));
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(apply(3)).reverse()), null, 2);
    const b = await stack.post("/api/desktop/apply", reordered, withKey("canon-1"));
    expect(await b.text()).toBe(await a.text());
  });

  it("same key with another body → 422 envelope, no task", async () => {
    await stack.post("/api/desktop/apply", apply(4), withKey("mismatch-1"));
    const before = await stack.counts();
    const res = await stack.post("/api/desktop/apply", apply(5), withKey("mismatch-1"));
    expect(res.status).toBe(422);
    expect(await envelopeOf(res)).toEqual({
      data: {},
      message: "This Idempotency-Key was used with a different request body",
      status: "-1",
    });
    expect(await stack.counts()).toEqual(before);
  });

  it("the same key on another path, or from another API key, is another request", async () => {
    const a = await stack.post("/api/desktop/apply", apply(6), withKey("scoped-1"));
    const b = await stack.call("POST", "/api/desktop/apply", {
      key: stack.keys.desktop,
      body: apply(6),
      headers: withKey("scoped-1"),
    });
    expect(b.status).toBe(200);
    expect((await envelopeOf(b)).data.task_id).not.toBe((await envelopeOf(a)).data.task_id);
    const c = await stack.post(
      "/api/desktop/resource-update",
      {
        desktop_uuid: desktopUuid,
        cpu: 4,
        callback_url: REQUEST_EXAMPLES["/api/desktop/apply"].callback_url,
      },
      withKey("scoped-1"),
    );
    expect(c.status).toBe(200);
  });

  it("a validation failure is not stored: the key stays free", async () => {
    const bad = await stack.post("/api/desktop/apply", { ...apply(7), os: "dos" }, withKey("invalid-first"));
    expect(bad.status).toBe(400);
    const good = await stack.post("/api/desktop/apply", apply(7), withKey("invalid-first"));
    expect(good.status).toBe(200);
  });

  it("a malformed key → 400: empty, too long, non-printable", async () => {
    for (const key of ["", "k".repeat(256), "tab\there", "naïve"]) {
      const res = await fetch(`${stack.apiUrl}/api/desktop/apply`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${stack.keys.admin}`,
          "idempotency-key": key,
        },
        body: JSON.stringify(apply(8)),
      }).catch(() => null);
      // fetch itself refuses some header values (non-Latin-1); the ones it sends must be 400
      if (res) expect(res.status, JSON.stringify(key)).toBe(400);
    }
    const ok = await stack.post("/api/desktop/apply", apply(8), withKey("k".repeat(255)));
    expect(ok.status).toBe(200);
  });

  it("records are kept 24 h (expires_at)", async () => {
    const [row] = await stack.database.sql<{ hours: number }[]>`
      select extract(epoch from expires_at - created_at) / 3600 as hours from idempotency_keys limit 1`;
    expect(Number(row!.hours)).toBeCloseTo(24, 1);
  });
});

describe("synchronous requests", () => {
  it("wait for the task and are woken when it ends (NOTIFY), not at the bound", async () => {
    const started = Date.now();
    const since = await dbNow();
    const pending = stack.post("/api/desktop/policy-update", {
      desktop_uuid: desktopUuid,
      "usb-enable": true,
    });
    const id = await queuedTask("desktop.policy_update", since);
    const result = {
      desktop_uuid: desktopUuid,
      "usb-enable": true,
      "data-access": false,
      note: "next connection",
    };
    await finishTask(stack.database.db, id, { state: "succeeded", result });
    const res = await pending;
    expect(Date.now() - started).toBeLessThan(SYNC_MS - 500);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(
      JSON.stringify({ data: { task_id: id, ...result }, message: "", status: "0" }),
    );
  });

  it("a task that fails → 422 with its reason", async () => {
    const since = await dbNow();
    const pending = stack.post("/api/desktop/policy-update", {
      desktop_uuid: desktopUuid,
      "data-access": true,
    });
    const id = await queuedTask("desktop.policy_update", since);
    await finishTask(stack.database.db, id, {
      state: "failed",
      error: "policy group missing on the platform",
    });
    const res = await pending;
    expect(res.status).toBe(422);
    expect(await envelopeOf(res)).toEqual({
      data: { task_id: id },
      message: "policy group missing on the platform",
      status: "-1",
    });
  });

  it("not done within the bound → 202 with data.task_id; the task goes on", async () => {
    const started = Date.now();
    const res = await stack.post("/api/desktop/policy-update", {
      desktop_uuid: desktopUuid,
      "usb-enable": false,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(SYNC_MS - 50);
    expect(res.status).toBe(202);
    const body = await envelopeOf(res);
    expect(body).toEqual({
      data: { task_id: expect.any(String) },
      message: "Accepted and still in progress; GET /api/tasks/{task_id} gives the outcome",
      status: "0",
    });
    const [job] = await stack.database
      .sql`select state from pgboss.job where name = 'desktop.policy_update' and data->>'task_id' = ${body.data.task_id}`;
    expect(job).toBeDefined();
  });

  it("with callback_url, policy-update is async: 200 at once", async () => {
    const res = await stack.post("/api/desktop/policy-update", {
      desktop_uuid: desktopUuid,
      "usb-enable": true,
      callback_url: "http://127.0.0.1:9/cb",
    });
    expect(res.status).toBe(200);
    expect(Object.keys((await envelopeOf(res)).data)).toEqual(["task_id"]);
  });

  it("same key while the first is still running → 409 with Retry-After: 1; afterwards the same answer", async () => {
    const body = { desktop_uuid: desktopUuid, "usb-enable": true, "data-access": true };
    const since = await dbNow();
    const first = stack.post("/api/desktop/policy-update", body, withKey("sync-1"));
    const id = await queuedTask("desktop.policy_update", since);
    const dup = await stack.post("/api/desktop/policy-update", body, withKey("sync-1"));
    expect(dup.status).toBe(409);
    expect(dup.headers.get("retry-after")).toBe("1");
    expect((await envelopeOf(dup)).status).toBe("-1");
    await finishTask(stack.database.db, id, { state: "succeeded", result: { desktop_uuid: desktopUuid } });
    const firstRes = await first;
    const firstText = await firstRes.text();
    expect(firstRes.status).toBe(200);
    const replay = await stack.post("/api/desktop/policy-update", body, withKey("sync-1"));
    expect(replay.status).toBe(200);
    expect(await replay.text()).toBe(firstText);
    expect((await stack.database.sql`select count(*)::int as n from tasks where id = ${id}`)[0]!.n).toBe(1);
  });

  it("a request that answered 202 is answered in full by a retry with its key once the task ended", async () => {
    const body = { desktop_uuid: desktopUuid, "data-access": false };
    const first = await stack.post("/api/desktop/policy-update", body, withKey("late-1"));
    expect(first.status).toBe(202);
    const { task_id } = (await envelopeOf(first)).data;
    await finishTask(stack.database.db, task_id, {
      state: "succeeded",
      result: { desktop_uuid: desktopUuid },
    });
    const retry = await stack.post("/api/desktop/policy-update", body, withKey("late-1"));
    expect(retry.status).toBe(200);
    expect((await envelopeOf(retry)).data).toEqual({ task_id, desktop_uuid: desktopUuid });
  });

  it("pwd-reset: the password is handed over once, and a stored answer keeps it sealed", async () => {
    const body = { username: "xxx_01", password: "" };
    const since = await dbNow();
    const pending = stack.post("/api/user/pwd-reset", body, withKey("pwd-1"));
    const id = await queuedTask("user.pwd_reset", since);
    const [task] = await stack.database.sql`select request from tasks where id = ${id}`;
    expect(task!.request).toEqual({ username: "xxx_01", password: "" });
    await saveProgress(stack.database.db, id, { sealedPassword: stack.box.seal("Fresh-Pass-91z") });
    await finishTask(stack.database.db, id, { state: "succeeded", result: { username: "xxx_01" } });
    const res = await pending;
    const text = await res.text();
    expect(text).toBe(
      JSON.stringify({
        data: { task_id: id, username: "xxx_01", password: "Fresh-Pass-91z" },
        message: "",
        status: "0",
      }),
    );
    const [left] = await stack.database.sql`select progress from tasks where id = ${id}`;
    expect(JSON.stringify(left)).not.toContain("sealedPassword");
    const [stored] = await stack.database
      .sql`select response_body, response_sealed from idempotency_keys where key = 'pwd-1'`;
    expect(stored!.response_body).toBeNull();
    expect(stored!.response_sealed).toMatch(/^v1\./);
    expect(stored!.response_sealed).not.toContain("Fresh-Pass");
    const replay = await stack.post("/api/user/pwd-reset", body, withKey("pwd-1"));
    expect(await replay.text()).toBe(text);
  });

  it("a chosen password is stored on the task only sealed", async () => {
    const since = await dbNow();
    const pending = stack.post("/api/user/pwd-reset", { username: "xxx_01", password: "Chosen-Pass-42x" });
    const id = await queuedTask("user.pwd_reset", since);
    const [task] = await stack.database.sql<
      { request: { password_sealed: string } }[]
    >`select request from tasks where id = ${id}`;
    expect(JSON.stringify(task)).not.toContain("Chosen-Pass-42x");
    expect(stack.box.open(task!.request.password_sealed)).toBe("Chosen-Pass-42x");
    await finishTask(stack.database.db, id, { state: "failed", error: "stop" });
    expect((await pending).status).toBe(422);
  });
});

describe("tRPC mutations: `idempotencyKey` with REST's semantics (issue 15.4)", () => {
  const client = (key: string) =>
    createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${stack.apiUrl}/trpc`, headers: { authorization: `Bearer ${key}` } })],
    });
  const codeOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
      return "resolved";
    } catch (e) {
      if (e instanceof TRPCClientError) return (e as TRPCClientError<AppRouter>).data?.code as string;
      throw e;
    }
  };

  it("20 parallel identical calls → one task, one job, the same task id", async () => {
    const trpc = client(stack.keys.admin);
    const before = await stack.counts();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        trpc.desktop.open.mutate({ ...apply(101), idempotencyKey: "t-race-1" }),
      ),
    );
    expect(new Set(answers.map((a) => a.task_id)).size).toBe(1);
    const after = await stack.counts();
    expect({ tasks: after.tasks - before.tasks, jobs: after.jobs - before.jobs }).toEqual({
      tasks: 1,
      jobs: 1,
    });
    // a later replay, key order aside, is the same answer
    const reordered = Object.fromEntries(
      Object.entries({ ...apply(101), idempotencyKey: "t-race-1" }).reverse(),
    );
    expect(await trpc.desktop.open.mutate(reordered as ReturnType<typeof apply>)).toEqual(answers[0]);
  });

  it("same key with another input → UNPROCESSABLE_CONTENT, no task; a malformed key → BAD_REQUEST", async () => {
    const trpc = client(stack.keys.admin);
    await trpc.desktop.open.mutate({ ...apply(102), idempotencyKey: "t-mismatch-1" });
    const before = await stack.counts();
    expect(await codeOf(trpc.desktop.open.mutate({ ...apply(103), idempotencyKey: "t-mismatch-1" }))).toBe(
      "UNPROCESSABLE_CONTENT",
    );
    for (const bad of ["", "x".repeat(256), "é"]) {
      expect(await codeOf(trpc.desktop.open.mutate({ ...apply(104), idempotencyKey: bad }))).toBe(
        "BAD_REQUEST",
      );
    }
    expect(await stack.counts()).toEqual(before);
  });

  it("the same key from another API key, on another procedure, or on REST is another request", async () => {
    const mine = await client(stack.keys.admin).desktop.open.mutate({
      ...apply(105),
      idempotencyKey: "t-scope-1",
    });
    const theirs = await client(stack.keys.desktop).desktop.open.mutate({
      ...apply(105),
      idempotencyKey: "t-scope-1",
    });
    expect(theirs.task_id).not.toBe(mine.task_id);
    const rest = await stack.post("/api/desktop/apply", apply(105), withKey("t-scope-1"));
    expect((await envelopeOf(rest)).data.task_id).not.toBe(mine.task_id);
    const other = await client(stack.keys.admin).desktop.resourceUpdate.mutate({
      desktop_uuid: desktopUuid,
      cpu: 4,
      callback_url: REQUEST_EXAMPLES["/api/desktop/apply"].callback_url,
      idempotencyKey: "t-scope-1",
    });
    expect(other.task_id).not.toBe(mine.task_id);
  });

  it("a synchronous mutation: CONFLICT while the first runs, then the same answer, one task", async () => {
    const trpc = client(stack.keys.admin);
    const input = { desktop_uuid: desktopUuid, "usb-enable": false, idempotencyKey: "t-sync-1" };
    const since = await dbNow();
    const first = trpc.desktop.policyUpdate.mutate(input);
    const id = await queuedTask("desktop.policy_update", since);
    expect(await codeOf(trpc.desktop.policyUpdate.mutate(input))).toBe("CONFLICT");
    await finishTask(stack.database.db, id, { state: "succeeded", result: { desktop_uuid: desktopUuid } });
    const answer = await first;
    expect(await trpc.desktop.policyUpdate.mutate(input)).toEqual(answer);
    const [row] = await stack.database.sql<{ n: number }[]>`
      select count(*)::int as n from idempotency_keys where key = 't-sync-1'`;
    expect(row!.n).toBe(1);
  });
});

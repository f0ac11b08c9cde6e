import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConformance, type Exchange } from "./support/conformance.ts";
import { type Received, startReceiver } from "./support/receiver.ts";
import { type Stack, startStack } from "./support/stack.ts";

/**
 * The lifecycle endpoints over REST: delete (async, signed callback, already-gone repeat,
 * Idempotency-Key) and lock / unlock (synchronous, or async with callback_url); every answer
 * and callback checked against the OpenAPI document.
 */
let stack: Stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const exchanges: Exchange[] = [];
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

async function callbackFor(taskId: string): Promise<Received> {
  for (let n = 1; ; n++) {
    await receiver.waitFor(n);
    const found = receiver.received.find((r) => r.body.data.task_id === taskId);
    if (found) return found;
  }
}

async function openDesktop(group: string) {
  const res = await stack.post("/api/desktop/apply", {
    username: group,
    os: "win10",
    callback_url: receiver.url,
  });
  const ack = (await res.json()) as { data: { task_id: string } };
  const cb = await callbackFor(ack.data.task_id);
  return cb.body.data as { username: string; desktop_uuid: string; desktop_name: string };
}

beforeAll(async () => {
  [stack, receiver] = await Promise.all([
    startStack({ onResponse: (x) => exchanges.push(x) }),
    startReceiver(),
  ]);
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

describe("POST /api/desktop/delete", () => {
  it("→ 200 ack, then a signed callback; the desktop is gone; a repeat succeeds as already gone", async () => {
    const d = await openDesktop("del");
    const res = await stack.post("/api/desktop/delete", {
      desktop_uuid: d.desktop_uuid,
      delete_user_if_last: true,
      callback_url: receiver.url,
    });
    const raw = await res.text();
    expect(res.status).toBe(200);
    expect(raw).toMatch(new RegExp(`^\\{"data":\\{"task_id":"${UUID}"\\},"message":"","status":"0"\\}$`));
    const cb = await callbackFor(JSON.parse(raw).data.task_id);
    expect(() => new Webhook(stack.webhookSecret).verify(cb.raw, cb.headers)).not.toThrow();
    expect(cb.body.status).toBe("0");
    expect(Object.keys(cb.body.data)[0]).toBe("task_id");
    expect(cb.body.data).toMatchObject({
      desktop_uuid: d.desktop_uuid,
      username: d.username,
      already_gone: false,
      user_deleted: true,
    });
    const state = await stack.simState();
    expect(state.desktops.find((x) => x.desktop_id === d.desktop_uuid)).toBeUndefined();
    expect((await stack.get(`/api/user/${d.username}/desktops`)).status).toBe(404);

    const again = await stack.post("/api/desktop/delete", {
      desktop_uuid: d.desktop_uuid,
      callback_url: receiver.url,
    });
    expect(again.status).toBe(200);
    const second = await callbackFor(((await again.json()) as { data: { task_id: string } }).data.task_id);
    expect(second.body).toMatchObject({ status: "0", data: { already_gone: true } });
  });

  it("an unknown desktop → 404 in the POST envelope, no task", async () => {
    const before = await stack.counts();
    const res = await stack.post("/api/desktop/delete", {
      desktop_uuid: "never-was",
      callback_url: receiver.url,
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ data: {}, message: "desktop never-was is not known", status: "-1" });
    expect(await stack.counts()).toEqual(before);
  });

  it("bad input → 400 naming the field", async () => {
    const res = await stack.post("/api/desktop/delete", {
      desktop_uuid: "x",
      delete_user_if_last: "yes",
      callback_url: receiver.url,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string; status: string };
    expect(body.status).toBe("-1");
    expect(body.message).toMatch(/delete_user_if_last/);
  });

  it("the same Idempotency-Key gives the same task, once", async () => {
    const d = await openDesktop("idem");
    const body = { desktop_uuid: d.desktop_uuid, callback_url: receiver.url };
    const first = await stack.post("/api/desktop/delete", body, {
      "idempotency-key": `del-${d.desktop_uuid}`,
    });
    const second = await stack.post("/api/desktop/delete", body, {
      "idempotency-key": `del-${d.desktop_uuid}`,
    });
    const a = (await first.json()) as { data: { task_id: string } };
    const b = (await second.json()) as { data: { task_id: string } };
    expect(b.data.task_id).toBe(a.data.task_id);
    const [row] = await stack.database.sql<{ n: number }[]>`
      select count(*)::int as n from tasks where kind = 'desktop.delete' and request->>'desktop_uuid' = ${d.desktop_uuid}`;
    expect(row!.n).toBe(1);
    await callbackFor(a.data.task_id);
  });
});

describe("POST /api/user/lock and /api/user/unlock", () => {
  it("(sync) → 200 with the lock state once the platform did it", async () => {
    const d = await openDesktop("lock");
    const res = await stack.post("/api/user/lock", { username: d.username });
    const raw = await res.text();
    expect(res.status).toBe(200);
    expect(raw).toMatch(
      new RegExp(`^\\{"data":\\{"task_id":"${UUID}","username":"${d.username}","locked":true`),
    );
    const locked = (name: string) =>
      stack
        .simState()
        .then((s) => (s.users.find((u) => u.user_name === name) as unknown as { locked: boolean }).locked);
    expect(await locked(d.username)).toBe(true);

    const unlock = await stack.post("/api/user/unlock", { username: d.username });
    expect(unlock.status).toBe(200);
    expect(((await unlock.json()) as { data: { locked: boolean } }).data.locked).toBe(false);
    expect(await locked(d.username)).toBe(false);
  });

  it("with callback_url → 200 ack, then the callback", async () => {
    const d = await openDesktop("lockcb");
    const res = await stack.post("/api/user/lock", { username: d.username, callback_url: receiver.url });
    expect(res.status).toBe(200);
    const ack = (await res.json()) as { data: { task_id: string } };
    expect(Object.keys(ack.data)).toEqual(["task_id"]);
    const cb = await callbackFor(ack.data.task_id);
    expect(cb.body).toMatchObject({ status: "0", data: { username: d.username, locked: true } });
  });

  it("an unknown user → 404", async () => {
    const res = await stack.post("/api/user/unlock", { username: "nobody" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ data: {}, message: "user nobody is not known", status: "-1" });
  });
});

describe("POST /api/desktop/power, /api/desktop/rebuild, /api/user/offboard", () => {
  const accept = async (path: string, body: unknown) => {
    const res = await stack.post(path, body);
    const raw = await res.text();
    expect(res.status, raw).toBe(200);
    expect(raw).toMatch(new RegExp(`^\\{"data":\\{"task_id":"${UUID}"\\},"message":"","status":"0"\\}$`));
    return callbackFor(JSON.parse(raw).data.task_id);
  };

  it("power: stop (hard) → the callback says off", async () => {
    const d = await openDesktop("pow");
    const cb = await accept("/api/desktop/power", {
      desktop_uuid: d.desktop_uuid,
      action: "stop",
      type: "hard",
      callback_url: receiver.url,
    });
    expect(cb.body).toMatchObject({ status: "0", data: { action: "stop", type: "hard", power: "off" } });
    const bad = await stack.post("/api/desktop/power", {
      desktop_uuid: d.desktop_uuid,
      action: "hibernate",
      callback_url: receiver.url,
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/action/);
  });

  it("rebuild: to another os → the callback names it; the uuid stays; an unknown os → 400", async () => {
    const d = await openDesktop("reb");
    const cb = await accept("/api/desktop/rebuild", {
      desktop_uuid: d.desktop_uuid,
      os: "win7",
      callback_url: receiver.url,
    });
    expect(cb.body).toMatchObject({ status: "0", data: { desktop_uuid: d.desktop_uuid, os: "win7" } });
    expect((await stack.get(`/api/user/${d.username}/desktops`)).status).toBe(200);
    const bad = await stack.post("/api/desktop/rebuild", {
      desktop_uuid: d.desktop_uuid,
      os: "solaris",
      callback_url: receiver.url,
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/os: must be one of/);
  });

  it("offboard: the callback lists what was removed; the user is gone from deskgate", async () => {
    const d = await openDesktop("off");
    const cb = await accept("/api/user/offboard", { username: d.username, callback_url: receiver.url });
    expect(cb.body).toMatchObject({
      status: "0",
      data: {
        username: d.username,
        removed: { desktops: [{ desktop_uuid: d.desktop_uuid }], user: true },
      },
    });
    expect((await stack.get(`/api/user/${d.username}/desktops`)).status).toBe(404);
    const again = await accept("/api/user/offboard", { username: d.username, callback_url: receiver.url });
    expect(again.body).toMatchObject({ status: "0", data: { removed: { desktops: [], user: false } } });
  });

  it("unknown desktop or user → 404", async () => {
    for (const [path, body] of [
      ["/api/desktop/power", { desktop_uuid: "never-was", action: "start", callback_url: receiver.url }],
      ["/api/desktop/rebuild", { desktop_uuid: "never-was", callback_url: receiver.url }],
      ["/api/user/offboard", { username: "never-was", callback_url: receiver.url }],
    ] as const) {
      const res = await stack.post(path, body);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { status: string }).status).toBe("-1");
    }
  });
});

describe("OpenAPI", () => {
  it("every answer and callback above matches the document", async () => {
    const doc = await (await fetch(`${stack.apiUrl}/openapi.json`)).json();
    const conformance = createConformance(doc);
    const answers = exchanges.filter((x) => x.path.startsWith("/api/"));
    expect(answers.map((x) => conformance.check(x)).filter(Boolean)).toEqual([]);
    const kinds = new Map(
      (await stack.database.sql<{ id: string; kind: string }[]>`select id, kind from tasks`).map((t) => [
        t.id,
        t.kind,
      ]),
    );
    const callbacks = receiver.received.map((r) =>
      conformance.checkCallback(kinds.get(String(r.body.data.task_id))!, r.body),
    );
    expect(callbacks.filter(Boolean)).toEqual([]);
  });
});

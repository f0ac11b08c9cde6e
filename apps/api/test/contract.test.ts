import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_CALLBACK_URL, REQUEST_EXAMPLES } from "../src/openapi/examples.ts";
import { createConformance, type Exchange } from "./support/conformance.ts";
import { type Received, startReceiver } from "./support/receiver.ts";
import { HPC_ACCOUNT, type Stack, startStack } from "./support/stack.ts";

/**
 * The compatibility surface, byte for byte: every REST route driven with the seed's example
 * bodies (ids replaced by real ones), checking field order and string-vs-number `status`.
 */
let stack: Stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let user: { username: string; desktop_uuid: string; desktop_name: string };
/** Every answer this suite receives, checked against /openapi.json at the end. */
const exchanges: Exchange[] = [];

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const example = <P extends keyof typeof REQUEST_EXAMPLES>(path: P, patch: Record<string, unknown> = {}) => ({
  ...REQUEST_EXAMPLES[path],
  ...("callback_url" in REQUEST_EXAMPLES[path] ? { callback_url: receiver.url } : {}),
  ...patch,
});

async function callbackFor(taskId: string): Promise<Received> {
  for (let n = 1; ; n++) {
    await receiver.waitFor(n);
    const found = receiver.received.find((r) => r.body.data.task_id === taskId);
    if (found) return found;
  }
}

beforeAll(async () => {
  [stack, receiver] = await Promise.all([
    startStack({ onResponse: (x) => exchanges.push(x) }),
    startReceiver(),
  ]);
  const res = await stack.post("/api/desktop/apply", example("/api/desktop/apply"));
  const ack = (await res.json()) as { data: { task_id: string } };
  const cb = await callbackFor(ack.data.task_id);
  user = cb.body.data as typeof user;
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

describe("REST envelopes, byte for byte", () => {
  it('POST /api/desktop/apply → 200 {data:{task_id},message:"",status:"0"}', async () => {
    expect(EXAMPLE_CALLBACK_URL).toMatch(/^https:/);
    const res = await stack.post("/api/desktop/apply", example("/api/desktop/apply"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.text()).toMatch(
      new RegExp(`^\\{"data":\\{"task_id":"${UUID}"\\},"message":"","status":"0"\\}$`),
    );
  });

  it("POST /api/desktop/resource-update → 200 ack, then the callback", async () => {
    const res = await stack.post(
      "/api/desktop/resource-update",
      example("/api/desktop/resource-update", { desktop_uuid: user.desktop_uuid }),
    );
    const raw = await res.text();
    expect(res.status).toBe(200);
    expect(raw).toMatch(new RegExp(`^\\{"data":\\{"task_id":"${UUID}"\\},"message":"","status":"0"\\}$`));
    const cb = await callbackFor(JSON.parse(raw).data.task_id);
    expect(Object.keys(cb.body)).toEqual(["data", "message", "status"]);
    expect(cb.body.status).toBe("0");
    expect(Object.keys(cb.body.data)[0]).toBe("task_id");
  });

  it("POST /api/desktop/policy-update (sync) → 200 once applied", async () => {
    const res = await stack.post(
      "/api/desktop/policy-update",
      example("/api/desktop/policy-update", { desktop_uuid: user.desktop_uuid }),
    );
    const raw = await res.text();
    expect(res.status).toBe(200);
    expect(raw).toMatch(new RegExp(`^\\{"data":\\{"task_id":"${UUID}",.*\\},"message":"","status":"0"\\}$`));
    expect(JSON.parse(raw).data).toMatchObject({
      desktop_uuid: user.desktop_uuid,
      "usb-enable": true,
      "data-access": false,
    });
  });

  it("POST /api/user/pwd-reset (sync) → 200 {data:{task_id,username,password},…}", async () => {
    const res = await stack.post(
      "/api/user/pwd-reset",
      example("/api/user/pwd-reset", { username: user.username }),
    );
    const raw = await res.text();
    expect(res.status).toBe(200);
    expect(raw).toMatch(
      new RegExp(
        `^\\{"data":\\{"task_id":"${UUID}","username":"${user.username}","password":"[^"]+".*\\},"message":"","status":"0"\\}$`,
      ),
    );
    expect(res.headers.get("cache-control")).toBe("no-store");
    // the default password, or the platform's generated one where it cannot set a chosen one
    const { password } = JSON.parse(raw).data;
    const sim = await stack.simState();
    expect(sim.users.find((u) => u.user_name === user.username)?.password).toBe(password);
    // the api took the sealed password over: nothing of it is left on the task
    const [task] = await stack.database
      .sql`select progress, result from tasks where id = ${JSON.parse(raw).data.task_id}`;
    expect(JSON.stringify(task)).not.toContain(password);
    expect(JSON.stringify(task)).not.toContain("sealedPassword");
  });

  it("POST /api/user/pwd-reset with a chosen password sets exactly that password, kept only sealed", async () => {
    const chosen = "Chosen-Pass-2026";
    const res = await stack.post("/api/user/pwd-reset", { username: user.username, password: chosen });
    const body = JSON.parse(await res.text());
    expect(res.status).toBe(200);
    expect(body).toMatchObject({
      data: { username: user.username, password: chosen },
      message: "",
      status: "0",
    });
    const sim = await stack.simState();
    expect(sim.users.find((u) => u.user_name === user.username)?.password).toBe(chosen);
    const [task] = await stack.database
      .sql`select request, progress, result from tasks where id = ${body.data.task_id}`;
    expect(JSON.stringify(task)).not.toContain(chosen);
  });

  it('GET /api/user/{username}/desktops → 200 {data:[…],status:0,message:""}', async () => {
    const res = await stack.get(`/api/user/${user.username}/desktops`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(
      JSON.stringify({
        data: [{ desktop_uuid: user.desktop_uuid, desktop_name: user.desktop_name }],
        status: 0,
        message: "",
      }),
    );
  });

  it("GET /api/user/{username}/desktops of an unknown user → 404 {data:[],status:-1,message}", async () => {
    const res = await stack.get("/api/user/nobody_99/desktops");
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('{"data":[],"status":-1,"message":"user nobody_99 is not known"}');
  });

  it("GET /api/desktop/{uuid}/volumes → 200 with sizes in bytes", async () => {
    const res = await stack.get(`/api/desktop/${user.desktop_uuid}/volumes`);
    expect(res.status).toBe(200);
    const raw = await res.text();
    expect(raw).toMatch(/^\{"data":\[.*\],"status":0,"message":""\}$/);
    for (const v of JSON.parse(raw).data) {
      expect(Object.keys(v)).toEqual(["volume_uuid", "volume_name", "volume_size", "volume_status"]);
      expect(Number.isInteger(v.volume_size)).toBe(true);
    }
  });

  it("GET /api/desktop/{uuid}/volumes of an unknown desktop → 404 envelope", async () => {
    const res = await stack.get("/api/desktop/no-such-desktop/volumes");
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('{"data":[],"status":-1,"message":"desktop no-such-desktop is not known"}');
  });

  it("GET /api/tasks/{task_id} → the task with steps and deliveries, no secrets", async () => {
    const ack = (await (await stack.post("/api/desktop/apply", example("/api/desktop/apply"))).json()) as {
      data: { task_id: string };
    };
    const cb = await callbackFor(ack.data.task_id);
    const res = await stack.get(`/api/tasks/${ack.data.task_id}`);
    expect(res.status).toBe(200);
    const raw = await res.text();
    expect(raw).toMatch(/^\{"data":\{.*\},"status":0,"message":""\}$/);
    const view = JSON.parse(raw).data;
    expect(view).toMatchObject({
      task_id: ack.data.task_id,
      kind: "desktop.apply",
      state: "succeeded",
      error: null,
    });
    expect(view.steps.length).toBeGreaterThan(0);
    expect(view.callbacks[0]).toMatchObject({ url: receiver.url });
    expect(view.callbacks[0].attempts[0]).toMatchObject({ attempt: 1, trigger: "scheduled" });
    expect(raw).not.toContain(String(cb.body.data.password));
  });

  it("GET /api/tasks/{task_id} unknown → 404 {data:null,status:-1,…}", async () => {
    const res = await stack.get("/api/tasks/00000000-0000-4000-8000-000000000000");
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/^\{"data":null,"status":-1,"message":"task .* is not known"\}$/);
  });

  it("PUT, GET, DELETE /api/hpc/{account}/vnc → the session, the list, closed", async () => {
    const opened = await stack.call("PUT", `/api/hpc/${HPC_ACCOUNT}/vnc`);
    const raw = await opened.text();
    expect(opened.status).toBe(200);
    expect(raw).toMatch(new RegExp(`^\\{"data":\\{"task_id":"${UUID}",.*\\},"message":"","status":"0"\\}$`));
    const session = JSON.parse(raw).data;
    expect(session).toMatchObject({
      user: expect.any(String),
      sessionId: expect.any(String),
      launchUrl: expect.any(String),
    });

    const listed = await stack.get(`/api/hpc/${HPC_ACCOUNT}/vnc`);
    const listRaw = await listed.text();
    expect(listed.status).toBe(200);
    expect(listRaw).toMatch(/^\{"data":\[.*\],"status":0,"message":""\}$/);
    expect(JSON.parse(listRaw).data.map((s: { sessionId: string }) => s.sessionId)).toContain(
      session.sessionId,
    );
    const listedSession = JSON.parse(listRaw).data.find(
      (s: { sessionId: string }) => s.sessionId === session.sessionId,
    );
    expect(listedSession.launchUrl).toMatch(/ticket=/);

    // The launch URL's ticket is in the answers only (issue 17.2): not in the task's stored
    // result, its view, /ops' source, or the sessions table; the sealed copy is taken once.
    for (const [taskId, kind] of [
      [session.task_id, "hpc.vnc_open"],
      [listed.headers.get("x-task-id") ?? "", "hpc.vnc_list"],
    ]) {
      const [row] = await stack.database.sql<
        { kind: string; result: unknown; progress: Record<string, unknown> }[]
      >`
        select kind, result, progress from tasks where kind = ${kind} order by created_at desc limit 1`;
      expect(JSON.stringify(row!.result)).not.toMatch(/ticket=|launchUrl/);
      expect(row!.progress).not.toHaveProperty("sealedPassword");
      if (taskId) {
        const view = await (await stack.get(`/api/tasks/${taskId}`)).text();
        expect(view).not.toMatch(/ticket=|launchUrl/);
      }
    }
    const stored = await stack.database.sql`select session from vnc_sessions`;
    expect(JSON.stringify(stored)).not.toMatch(/ticket=|launchUrl/);

    const closed = await stack.call("DELETE", `/api/hpc/${HPC_ACCOUNT}/vnc/${session.sessionId}`);
    expect(closed.status).toBe(200);
    expect(await closed.text()).toMatch(
      new RegExp(
        `^\\{"data":\\{"task_id":"${UUID}","sessionId":"${session.sessionId}"\\},"message":"","status":"0"\\}$`,
      ),
    );
  });

  it("PUT /api/hpc/{account}/vnc of an unknown account → 404 string-status envelope", async () => {
    const res = await stack.call("PUT", "/api/hpc/nobody/vnc");
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('{"data":{},"message":"HPC account nobody is not known","status":"-1"}');
  });

  it("a failed synchronous task → 422 with the platform's reason", async () => {
    // the simulator's password rule: at least three character classes
    const res = await stack.post("/api/user/pwd-reset", {
      username: user.username,
      password: "alllowercase",
    });
    expect(await res.text()).toMatch(
      new RegExp(
        `^\\{"data":\\{"task_id":"${UUID}"\\},"message":"the platform refused the password: .+","status":"-1"\\}$`,
      ),
    );
    expect(res.status).toBe(422);
  });

  it("a synchronous task that finds its object missing → 404 with the reason", async () => {
    const res = await stack.post("/api/user/pwd-reset", { username: "ghost_01", password: "" });
    expect(await res.text()).toMatch(
      new RegExp(
        `^\\{"data":\\{"task_id":"${UUID}"\\},"message":"user ghost_01 does not exist on the platform","status":"-1"\\}$`,
      ),
    );
    expect(res.status).toBe(404);
  });

  it("Accept-Language: zh-CN → Chinese messages", async () => {
    const res = await stack.call("GET", "/api/desktop/nope/volumes", {
      headers: { "accept-language": "zh-CN" },
    });
    expect(await res.json()).toEqual({ data: [], status: -1, message: "桌面 nope 不存在" });
  });

  it("X-Request-Id is echoed, or generated", async () => {
    const given = await stack.call("GET", "/api/tasks/x", { headers: { "x-request-id": "req-123" } });
    expect(given.headers.get("x-request-id")).toBe("req-123");
    const made = await stack.get("/api/tasks/x");
    expect(made.headers.get("x-request-id")).toMatch(/.{8,}/);
  });
  it("every answer and callback above matches the OpenAPI document (path, status, schema)", async () => {
    const doc = await (await fetch(`${stack.apiUrl}/openapi.json`)).json();
    const conformance = createConformance(doc);
    const answers = exchanges.filter((x) => x.path.startsWith("/api/"));
    expect(new Set(answers.map((x) => x.status))).toEqual(new Set([200, 400, 404, 422]));
    expect(answers.map((x) => conformance.check(x)).filter(Boolean)).toEqual([]);

    const kinds = new Map(
      (await stack.database.sql<{ id: string; kind: string }[]>`select id, kind from tasks`).map((t) => [
        t.id,
        t.kind,
      ]),
    );
    expect(receiver.received.length).toBeGreaterThan(1);
    const callbacks = receiver.received.map((r) =>
      conformance.checkCallback(kinds.get(String(r.body.data.task_id))!, r.body),
    );
    expect(callbacks.filter(Boolean)).toEqual([]);
  });

  it("the conformance check itself refuses what the document does not allow", async () => {
    const conformance = createConformance(await (await fetch(`${stack.apiUrl}/openapi.json`)).json());
    const bad = [
      { method: "GET", path: "/api/tasks/x", status: 404, body: '{"data":[],"status":-1,"message":"m"}' },
      {
        method: "POST",
        path: "/api/user/pwd-reset",
        status: 200,
        body: '{"data":{},"message":"","status":0}',
      },
      { method: "POST", path: "/api/nowhere", status: 200, body: "{}" },
      { method: "GET", path: "/api/desktop/d/volumes", status: 418, body: "{}" },
    ];
    for (const x of bad) expect(conformance.check(x), JSON.stringify(x)).not.toBeNull();
    expect(
      conformance.checkCallback("desktop.apply", { data: { task_id: "nope" }, message: "", status: "0" }),
    ).not.toBeNull();
  });
});

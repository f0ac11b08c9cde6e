import { getTask, listSteps } from "@deskgate/db";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "./support/eventually.ts";
import { startReceiver } from "./support/receiver.ts";
import { startStack } from "./support/stack.ts";

let stack: Awaited<ReturnType<typeof startStack>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  [stack, receiver] = await Promise.all([startStack(), startReceiver()]);
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

async function apply(username: string, os = "win10") {
  const res = await stack.post("/api/desktop/apply", { username, os, callback_url: receiver.url });
  const body = (await res.json()) as { data: { task_id: string }; message: string; status: string };
  expect(res.status).toBe(200);
  return body;
}

function callbackFor(taskId: string) {
  return receiver.received.find((r) => r.body.data.task_id === taskId);
}

async function waitForCallback(taskId: string) {
  for (let n = receiver.received.length + 1; !callbackFor(taskId); n++) await receiver.waitFor(n);
  return callbackFor(taskId)!;
}

describe("POST /api/desktop/apply, end to end", () => {
  it("acks at once, then opens a user and a desktop upstream and posts a signed callback", async () => {
    const ack = await apply("alpha");
    expect(Object.keys(ack)).toEqual(["data", "message", "status"]);
    expect(ack.status).toBe("0");
    expect(ack.message).toBe("");
    expect(ack.data.task_id).toMatch(/^[0-9a-f-]{36}$/);

    const callback = await waitForCallback(ack.data.task_id);
    // The signature verifies over the raw bytes with the receiver-side library.
    expect(() => new Webhook(stack.webhookSecret).verify(callback.raw, callback.headers)).not.toThrow();
    expect(callback.headers["webhook-id"]).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(callback.body.status).toBe("0");
    expect(callback.body.message).toBe("");
    const data = callback.body.data;
    expect(Object.keys(data)).toEqual([
      "task_id",
      "username",
      "password",
      "desktop_uuid",
      "desktop_name",
      "new_user",
    ]);
    expect(data.username).toBe("alpha_01");
    expect(data.new_user).toBe(true);
    expect(String(data.password)).toMatch(/^.{16}$/);

    const sim = await stack.simState();
    const user = sim.users.find((u) => u.user_name === "alpha_01");
    expect(user).toBeDefined();
    expect(user!.password).toBe(data.password);
    const desktop = sim.desktops.find((d) => d.desktop_id === data.desktop_uuid);
    expect(desktop).toMatchObject({
      user_name: "alpha_01",
      computer_name: data.desktop_name,
      status: "ACTIVE",
    });

    const task = await getTask(stack.database.db, ack.data.task_id);
    expect(task?.state).toBe("succeeded");
    expect(JSON.stringify(task)).not.toContain(String(data.password)); // no secret kept in the task row
    const steps = await listSteps(stack.database.db, ack.data.task_id);
    expect(steps.map((s) => [s.name, s.outcome])).toEqual([
      ["resolve_user", "ok"],
      ["allocate_username", "ok"],
      ["create_user", "ok"],
      ["create_desktop", "ok"],
      ["wait_desktop", "ok"],
    ]);
    // the worker records the delivery just after the receiver answered
    const delivery = await eventually(async () => {
      const [row] = await stack.database
        .sql`select state, sealed_password, body from callback_deliveries where task_id = ${ack.data.task_id}`;
      return row?.state === "pending" ? undefined : row;
    });
    expect(delivery).toMatchObject({ state: "delivered", sealed_password: null });
    expect(delivery!.body).not.toContain(String(data.password));
  });

  it("gives 20 concurrent applies for one new group 20 distinct users, _01 to _20", async () => {
    const acks = await Promise.all(Array.from({ length: 20 }, () => apply("crowd")));
    const callbacks = await Promise.all(acks.map((a) => waitForCallback(a.data.task_id)));
    const names = callbacks.map((c) => c.body.data.username as string).sort();
    expect(names).toEqual(Array.from({ length: 20 }, (_, i) => `crowd_${String(i + 1).padStart(2, "0")}`));
    const sim = await stack.simState();
    const simNames = sim.users.map((u) => u.user_name).filter((n) => n.startsWith("crowd_"));
    expect(simNames.sort()).toEqual(names);
    const desktops = sim.desktops.filter((d) => d.user_name.startsWith("crowd_"));
    expect(desktops).toHaveLength(20);
  });

  it('adds a desktop to an existing user and sends password ""', async () => {
    const first = await waitForCallback((await apply("beta")).data.task_id);
    const username = first.body.data.username as string;
    const second = await waitForCallback((await apply(username, "kylin")).data.task_id);
    expect(second.body.status).toBe("0");
    expect(second.body.data).toMatchObject({ username, password: "", new_user: false });
    expect(second.body.data.desktop_uuid).not.toBe(first.body.data.desktop_uuid);
    const sim = await stack.simState();
    expect(sim.users.filter((u) => u.user_name === username)).toHaveLength(1);
    expect(sim.desktops.filter((d) => d.user_name === username)).toHaveLength(2);
  });

  it("skips group numbers already taken on the platform outside deskgate", async () => {
    const res = await fetch(`${stack.simUrl}/v2/sim-project/users`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-auth-token": "sim-token" },
      body: JSON.stringify({
        user_name: "ext_01",
        active_type: "ADMIN_ACTIVATE",
        password: "Outside-Made-9x",
      }),
    });
    expect(res.status).toBe(201);
    const callback = await waitForCallback((await apply("ext")).data.task_id);
    expect(callback.body.data).toMatchObject({ username: "ext_02", new_user: true });
  });

  it("rolls back the user and the desktop when the platform fails the desktop, and says so", async () => {
    await fetch(`${stack.simUrl}/_sim/faults`, {
      method: "POST",
      body: JSON.stringify({ job_fail_rate: 1 }),
    });
    try {
      const ack = await apply("gamma");
      const callback = await waitForCallback(ack.data.task_id);
      expect(callback.body.status).toBe("-1");
      expect(Object.keys(callback.body.data)).toEqual(["task_id"]);
      expect(callback.body.message).toMatch(/desktop creation failed/);
      expect(callback.body.message).toMatch(/rolled back: deleted desktop \S+, deleted user gamma_01/);
      const sim = await stack.simState();
      expect(sim.users.some((u) => u.user_name === "gamma_01")).toBe(false);
      expect(sim.desktops.some((d) => d.user_name === "gamma_01")).toBe(false);
      expect((await getTask(stack.database.db, ack.data.task_id))?.state).toBe("failed");
    } finally {
      await fetch(`${stack.simUrl}/_sim/faults`, { method: "POST", body: "{}" });
    }
  });
});

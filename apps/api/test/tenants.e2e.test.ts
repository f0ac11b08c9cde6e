import {
  assignHpcAccount,
  assignUser,
  createApiKey,
  deleteUserRow,
  upsertDesktop,
  upsertUser,
} from "@deskgate/db";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../src/trpc/router.ts";
import { startReceiver } from "./support/receiver.ts";
import { HPC_ACCOUNT, type Stack, startStack } from "./support/stack.ts";

/**
 * Two departments on one deskgate (issue 15.1, 17.1; docs/api.md "Tenants"): users, desktops,
 * HPC accounts and tasks belong to a tenant; a key of another tenant gets 404 on every REST
 * route and tRPC procedure, exactly as for something unknown, and nothing is written; keys
 * sharing a named tenant see each other's; admin sees all; what no tenant owns (found on the
 * platform) is admin's until assigned. Real PostgreSQL, the simulator over real HTTP.
 */
let stack: Stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const keys = { a1: "", a2: "", b: "" };
let mine: { username: string; desktop_uuid: string; task_id: string };
let volumeUuid: string;
const LEASE_END = new Date(Date.now() + 30 * 86_400_000).toISOString();

type Client = ReturnType<typeof createTRPCClient<AppRouter>>;
const trpcFor = (key: string): Client =>
  createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${stack.apiUrl}/trpc`, headers: { authorization: `Bearer ${key}` } })],
  });

async function callbackFor(taskId: string) {
  for (let n = 1; ; n++) {
    await receiver.waitFor(n);
    const found = receiver.received.find((r) => r.body.data.task_id === taskId);
    if (found) return found.body as { status: string; message: string; data: Record<string, unknown> };
  }
}

async function apply(key: string, username: string) {
  const res = await stack.call("POST", "/api/desktop/apply", {
    key,
    body: { username, os: "win10", callback_url: receiver.url },
  });
  expect(res.status).toBe(200);
  const { task_id } = ((await res.json()) as { data: { task_id: string } }).data;
  return { task_id, callback: await callbackFor(task_id) };
}

beforeAll(async () => {
  [stack, receiver] = await Promise.all([startStack(), startReceiver()]);
  const db = stack.database.db;
  keys.a1 = (await createApiKey(db, { name: "dept-a-1", scopes: ["desktop", "hpc"], tenant: "dept-a" })).key;
  keys.a2 = (await createApiKey(db, { name: "dept-a-2", scopes: ["desktop", "hpc"], tenant: "dept-a" })).key;
  keys.b = (await createApiKey(db, { name: "dept-b", scopes: ["desktop", "hpc"], tenant: "dept-b" })).key;
  await assignHpcAccount(db, HPC_ACCOUNT, "dept-a");

  const made = await apply(keys.a1, "depta");
  expect(made.callback.status).toBe("0");
  mine = { ...(made.callback.data as { username: string; desktop_uuid: string }), task_id: made.task_id };
  // a data disk, so the volumes listing has something to leak
  const grown = await stack.call("POST", "/api/desktop/resource-update", {
    key: keys.a1,
    body: { desktop_uuid: mine.desktop_uuid, disk: 10 * 1024 ** 3, callback_url: receiver.url },
  });
  expect(grown.status).toBe(200);
  const disk = await callbackFor(((await grown.json()) as { data: { task_id: string } }).data.task_id);
  expect(disk.status).toBe("0");
  const volumes = await stack.call("GET", `/api/desktop/${mine.desktop_uuid}/volumes`, { key: keys.a1 });
  volumeUuid = ((await volumes.json()) as { data: { volume_uuid: string }[] }).data[0]!.volume_uuid;
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

describe("ownership is set when deskgate creates", () => {
  it("the task, the user and the desktop an apply made belong to the caller's tenant", async () => {
    const [task] = await stack.database.sql<{ tenant: string }[]>`
      select tenant from tasks where id = ${mine.task_id}`;
    const [user] = await stack.database.sql<{ tenant: string }[]>`
      select tenant from vdi_users where username = ${mine.username}`;
    const [desktop] = await stack.database.sql<{ tenant: string }[]>`
      select tenant from desktops where desktop_uuid = ${mine.desktop_uuid}`;
    expect([task?.tenant, user?.tenant, desktop?.tenant]).toEqual(["dept-a", "dept-a", "dept-a"]);
  });
});

/** Every REST route that names a user, desktop, task or HPC account of tenant dept-a. */
const restRoutes = (): { name: string; method: string; path: string; body?: unknown; message: string }[] => {
  const cb = receiver.url;
  const d = mine.desktop_uuid;
  const u = mine.username;
  const noDesktop = `desktop ${d} is not known`;
  const noUser = `user ${u} is not known`;
  const noAccount = `HPC account ${HPC_ACCOUNT} is not known`;
  return [
    {
      name: "apply for their user",
      method: "POST",
      path: "/api/desktop/apply",
      body: { username: u, os: "win10", callback_url: cb },
      message: noUser,
    },
    {
      name: "resource-update",
      method: "POST",
      path: "/api/desktop/resource-update",
      body: { desktop_uuid: d, cpu: 4, callback_url: cb },
      message: noDesktop,
    },
    {
      name: "resource-update of their disk",
      method: "POST",
      path: "/api/desktop/resource-update",
      body: { desktop_uuid: d, disk: 20 * 1024 ** 3, volume_uuid: volumeUuid, callback_url: cb },
      message: noDesktop,
    },
    {
      name: "policy-update",
      method: "POST",
      path: "/api/desktop/policy-update",
      body: { desktop_uuid: d, "usb-enable": true },
      message: noDesktop,
    },
    {
      name: "pwd-reset",
      method: "POST",
      path: "/api/user/pwd-reset",
      body: { username: u, password: "" },
      message: noUser,
    },
    {
      name: "delete",
      method: "POST",
      path: "/api/desktop/delete",
      body: { desktop_uuid: d, callback_url: cb },
      message: noDesktop,
    },
    {
      name: "lease",
      method: "POST",
      path: "/api/desktop/lease",
      body: { desktop_uuid: d, expires_at: LEASE_END, callback_url: cb },
      message: noDesktop,
    },
    { name: "lock", method: "POST", path: "/api/user/lock", body: { username: u }, message: noUser },
    { name: "unlock", method: "POST", path: "/api/user/unlock", body: { username: u }, message: noUser },
    {
      name: "power",
      method: "POST",
      path: "/api/desktop/power",
      body: { desktop_uuid: d, action: "reboot", callback_url: cb },
      message: noDesktop,
    },
    {
      name: "rebuild",
      method: "POST",
      path: "/api/desktop/rebuild",
      body: { desktop_uuid: d, callback_url: cb },
      message: noDesktop,
    },
    {
      name: "offboard",
      method: "POST",
      path: "/api/user/offboard",
      body: { username: u, callback_url: cb },
      message: noUser,
    },
    { name: "desktops of the user", method: "GET", path: `/api/user/${u}/desktops`, message: noUser },
    { name: "volumes of the desktop", method: "GET", path: `/api/desktop/${d}/volumes`, message: noDesktop },
    {
      name: "the task",
      method: "GET",
      path: `/api/tasks/${mine.task_id}`,
      message: `task ${mine.task_id} is not known`,
    },
    { name: "VNC open", method: "PUT", path: `/api/hpc/${HPC_ACCOUNT}/vnc`, message: noAccount },
    { name: "VNC list", method: "GET", path: `/api/hpc/${HPC_ACCOUNT}/vnc`, message: noAccount },
    { name: "VNC close", method: "DELETE", path: `/api/hpc/${HPC_ACCOUNT}/vnc/1`, message: noAccount },
  ];
};

describe("another tenant's key: 404 on every REST route, as for an unknown object, nothing written", () => {
  it("each route", async () => {
    const routes = restRoutes();
    expect(routes).toHaveLength(18);
    for (const route of routes) {
      const before = await stack.counts();
      const res = await stack.call(route.method, route.path, { key: keys.b, body: route.body });
      const body = (await res.json()) as { message: string; status: unknown };
      expect({ route: route.name, status: res.status, message: body.message }).toEqual({
        route: route.name,
        status: 404,
        message: route.message,
      });
      expect(String(body.status)).toBe("-1");
      expect(await stack.counts()).toEqual(before);
    }
  });

  it("an unknown object answers the same, so ids and names do not leak", async () => {
    const res = await stack.call("GET", "/api/user/nobody_99/desktops", { key: keys.b });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toBe("user nobody_99 is not known");
  });

  it("what tenant dept-a owns is unchanged on the platform", async () => {
    const state = await stack.simState();
    const desktop = state.desktops.find((x) => x.desktop_id === mine.desktop_uuid);
    expect(desktop).toBeDefined();
  });
});

describe("another tenant's key over tRPC: NOT_FOUND on every procedure", () => {
  async function notFound(call: () => Promise<unknown>) {
    try {
      await call();
    } catch (e) {
      expect(e).toBeInstanceOf(TRPCClientError);
      return (e as TRPCClientError<AppRouter>).data?.code;
    }
    return "resolved";
  }

  it("each procedure", async () => {
    const b = trpcFor(keys.b);
    const d = mine.desktop_uuid;
    const u = mine.username;
    const cb = receiver.url;
    const calls: [string, () => Promise<unknown>][] = [
      ["desktop.open", () => b.desktop.open.mutate({ username: u, os: "win10", callback_url: cb })],
      [
        "desktop.resourceUpdate",
        () => b.desktop.resourceUpdate.mutate({ desktop_uuid: d, cpu: 4, callback_url: cb }),
      ],
      ["desktop.policyUpdate", () => b.desktop.policyUpdate.mutate({ desktop_uuid: d, "usb-enable": true })],
      ["desktop.delete", () => b.desktop.delete.mutate({ desktop_uuid: d, callback_url: cb })],
      [
        "desktop.lease",
        () => b.desktop.lease.mutate({ desktop_uuid: d, expires_at: LEASE_END, callback_url: cb }),
      ],
      ["desktop.power", () => b.desktop.power.mutate({ desktop_uuid: d, action: "stop", callback_url: cb })],
      ["desktop.rebuild", () => b.desktop.rebuild.mutate({ desktop_uuid: d, callback_url: cb })],
      ["desktop.volumes", () => b.desktop.volumes.query({ desktop_uuid: d })],
      ["user.pwdReset", () => b.user.pwdReset.mutate({ username: u, password: "" })],
      ["user.lock", () => b.user.lock.mutate({ username: u })],
      ["user.unlock", () => b.user.unlock.mutate({ username: u })],
      ["user.offboard", () => b.user.offboard.mutate({ username: u, callback_url: cb })],
      ["user.desktops", () => b.user.desktops.query({ username: u })],
      ["hpc.vncOpen", () => b.hpc.vncOpen.mutate({ account: HPC_ACCOUNT })],
      ["hpc.vncList", () => b.hpc.vncList.query({ account: HPC_ACCOUNT })],
      ["hpc.vncClose", () => b.hpc.vncClose.mutate({ account: HPC_ACCOUNT, sessionId: "1" })],
      ["tasks.get", () => b.tasks.get.query({ task_id: mine.task_id })],
    ];
    const before = await stack.counts();
    const codes: Record<string, unknown> = {};
    for (const [name, call] of calls) codes[name] = await notFound(call);
    expect(codes).toEqual(Object.fromEntries(calls.map(([name]) => [name, "NOT_FOUND"])));
    expect(await stack.counts()).toEqual(before);
  });

  it("tasks.watch: another tenant's task is an error event, its own tenant's a view", async () => {
    const watch = async (key: string) => {
      const input = encodeURIComponent(JSON.stringify({ task_id: mine.task_id }));
      const controller = new AbortController();
      const res = await fetch(`${stack.apiUrl}/trpc/tasks.watch?input=${input}`, {
        headers: { authorization: `Bearer ${key}`, accept: "text/event-stream" },
        signal: controller.signal,
      });
      const reader = res.body!.getReader();
      let text = "";
      // past tRPC's `connected` event: the first event about the task (a view or an error)
      while (!/event: serialized-error|"task_id"/.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      controller.abort();
      return text;
    };
    const theirs = await watch(keys.b);
    expect(theirs).toContain("serialized-error");
    expect(theirs).toContain("NOT_FOUND");
    expect(theirs).not.toContain(mine.desktop_uuid);
    const ours = await watch(keys.a2);
    expect(ours).not.toContain("serialized-error");
    expect(ours).toContain(mine.task_id);
  });
});

describe("keys that share a named tenant see each other's; admin sees all", () => {
  it("a second key of dept-a reads and changes what the first made", async () => {
    for (const key of [keys.a2, stack.keys.admin]) {
      const desktops = await stack.call("GET", `/api/user/${mine.username}/desktops`, { key });
      expect(desktops.status).toBe(200);
      expect(((await desktops.json()) as { data: { desktop_uuid: string }[] }).data).toEqual([
        expect.objectContaining({ desktop_uuid: mine.desktop_uuid }),
      ]);
      expect((await stack.call("GET", `/api/tasks/${mine.task_id}`, { key })).status).toBe(200);
      const policy = await stack.call("POST", "/api/desktop/policy-update", {
        key,
        body: { desktop_uuid: mine.desktop_uuid, "usb-enable": true },
      });
      expect(policy.status).toBe(200);
    }
    const a2 = trpcFor(keys.a2);
    expect(await a2.user.desktops.query({ username: mine.username })).toEqual([
      expect.objectContaining({ desktop_uuid: mine.desktop_uuid }),
    ]);
    expect((await a2.tasks.get.query({ task_id: mine.task_id })).state).toBe("succeeded");
  });

  it("the tenant's HPC account works for its keys", async () => {
    const res = await stack.call("GET", `/api/hpc/${HPC_ACCOUNT}/vnc`, { key: keys.a2 });
    expect(res.status).toBe(200);
  });

  it("what another tenant's key makes is its own: dept-b's desktop is 404 to dept-a", async () => {
    const made = await apply(keys.b, "deptb");
    const theirs = made.callback.data as { desktop_uuid: string; username: string };
    expect((await stack.call("GET", `/api/user/${theirs.username}/desktops`, { key: keys.b })).status).toBe(
      200,
    );
    expect((await stack.call("GET", `/api/user/${theirs.username}/desktops`, { key: keys.a1 })).status).toBe(
      404,
    );
    expect((await stack.call("GET", `/api/tasks/${made.task_id}`, { key: keys.a1 })).status).toBe(404);
  });
});

describe("objects no tenant owns: admin only, until an operator assigns them", () => {
  it("a user and desktop found on the platform are 404 to tenants, 200 to admin; assigned, the tenant's", async () => {
    const db = stack.database.db;
    await upsertUser(db, {
      username: "found_01",
      upstreamId: "u-found",
      groupName: null,
      createdByTask: null,
    });
    await upsertDesktop(db, {
      desktopUuid: "desk-found",
      desktopName: "found-01",
      username: "found_01",
      os: "win10",
      status: "ACTIVE",
    });
    const get = (key: string) => stack.call("GET", "/api/user/found_01/desktops", { key });
    expect((await get(keys.a1)).status).toBe(404);
    expect((await get(keys.b)).status).toBe(404);
    expect((await get(stack.keys.admin)).status).toBe(200);

    expect(await assignUser(db, "found_01", "dept-b")).toBe(1);
    expect((await get(keys.b)).status).toBe(200);
    expect((await get(keys.a1)).status).toBe(404);
    const volumes = await stack.call("GET", "/api/desktop/desk-found/volumes", { key: keys.b });
    expect(volumes.status).toBe(200);
  });

  it("an HPC account no tenant owns is 404 to every hpc key, usable by admin", async () => {
    await assignHpcAccount(stack.database.db, HPC_ACCOUNT, null);
    expect((await stack.call("GET", `/api/hpc/${HPC_ACCOUNT}/vnc`, { key: keys.a1 })).status).toBe(404);
    expect((await stack.call("GET", `/api/hpc/${HPC_ACCOUNT}/vnc`, { key: stack.keys.hpc })).status).toBe(
      404,
    );
    expect((await stack.call("GET", `/api/hpc/${HPC_ACCOUNT}/vnc`)).status).toBe(200);
    await assignHpcAccount(stack.database.db, HPC_ACCOUNT, "dept-a");
  });

  it("an apply for a user on the platform that deskgate's tables do not give the tenant fails, adopting nothing", async () => {
    // dept-a's user, forgotten by deskgate's tables (as if made outside deskgate): dept-b may not take it
    const made = await apply(keys.a1, "gone");
    const { username } = made.callback.data as { username: string };
    await stack.database.sql`delete from desktops where username = ${username}`;
    await deleteUserRow(stack.database.db, username);
    const tried = await apply(keys.b, username);
    expect(tried.callback.status).toBe("-1");
    expect(tried.callback.message).toMatch(new RegExp(`^user ${username} is not available to this key`));
    const [row] = await stack.database.sql`select tenant from vdi_users where username = ${username}`;
    expect(row).toBeUndefined();
    // admin may add a desktop to it; the user stays unassigned
    const byAdmin = await apply(stack.keys.admin, username);
    expect(byAdmin.callback.status).toBe("0");
    const [adopted] = await stack.database.sql<{ tenant: string | null }[]>`
      select tenant from vdi_users where username = ${username}`;
    expect(adopted?.tenant).toBeNull();
  });
});

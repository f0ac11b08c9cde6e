import { randomUUID } from "node:crypto";
import {
  enqueue,
  findUser,
  getDesktopRow,
  insertTask,
  listDesktopsOfUser,
  listOpenVncSessions,
  listVolumesOfDesktop,
  saveProgress,
} from "@deskgate/db";
import { awaitJob } from "@deskgate/upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GIB, type Harness, SIM_OS_IMAGES, startHarness } from "./support/harness.ts";

/** desktop.power, desktop.rebuild and user.offboard against the simulator over real HTTP. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

async function withDataDisk(d: { desktop_uuid: string }) {
  const grown = await h.run("desktop.resource_update", { desktop_uuid: d.desktop_uuid, disk: 10 * GIB });
  expect(grown.state, grown.error ?? "").toBe("succeeded");
  const [disk] = await listVolumesOfDesktop(h.database.db, d.desktop_uuid);
  return disk!.volumeUuid;
}

async function resume(
  kind: "user.offboard",
  request: Record<string, unknown>,
  progress: Record<string, unknown>,
) {
  const id = randomUUID();
  await h.database.db.transaction(async (tx) => {
    await insertTask(tx, { id, kind, request, callbackUrl: null });
    await saveProgress(tx, id, progress);
    await enqueue(h.boss, tx, kind, { task_id: id });
  });
  return h.waitTask(id);
}

const simDesktop = async (id: string) =>
  (await h.simState()).desktops.find((x) => x.desktop_id === id) as unknown as
    | { status: string; image_id: string }
    | undefined;
const calls = async (route: string) => (await h.simState()).stats.by_route[route] ?? 0;

describe("desktop.power", () => {
  it("stops, starts and reboots (hard); each callback result says the power state", async () => {
    const d = await h.makeDesktop();
    const stop = await h.run("desktop.power", { desktop_uuid: d.desktop_uuid, action: "stop" });
    expect(stop.state, stop.error ?? "").toBe("succeeded");
    expect(stop.result).toEqual({ desktop_uuid: d.desktop_uuid, action: "stop", type: "soft", power: "off" });
    expect((await simDesktop(d.desktop_uuid))?.status).toBe("SHUTOFF");

    const before = await calls("POST /v2/{p}/desktops/action");
    expect(before).toBeGreaterThan(0);
    const again = await h.run("desktop.power", { desktop_uuid: d.desktop_uuid, action: "stop" });
    expect(again.result).toMatchObject({ power: "off" });
    expect(await calls("POST /v2/{p}/desktops/action")).toBe(before);

    const start = await h.run("desktop.power", { desktop_uuid: d.desktop_uuid, action: "start" });
    expect(start.result).toMatchObject({ power: "on" });
    const reboot = await h.run("desktop.power", {
      desktop_uuid: d.desktop_uuid,
      action: "reboot",
      type: "hard",
    });
    expect(reboot.state, reboot.error ?? "").toBe("succeeded");
    expect(reboot.result).toMatchObject({ action: "reboot", type: "hard", power: "on" });
    expect((await h.steps(reboot.id)).map((s) => s.name)).toEqual(["power", "wait_power"]);
  });

  it("an unknown desktop fails with a clear reason", async () => {
    const task = await h.run("desktop.power", { desktop_uuid: "no-such-desktop", action: "start" });
    expect(task.state).toBe("failed");
    expect(task.error).toMatch(/does not exist/);
  });
});

describe("desktop.rebuild", () => {
  it("reimages to another os; the uuid and the data disk stay; deskgate's row takes the os", async () => {
    const d = await h.makeDesktop();
    const volume = await withDataDisk(d);
    const task = await h.run("desktop.rebuild", { desktop_uuid: d.desktop_uuid, os: "win7" });
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(task.result).toMatchObject({ desktop_uuid: d.desktop_uuid, os: "win7", volume_uuids: [volume] });
    expect((await simDesktop(d.desktop_uuid))?.image_id).toBe(SIM_OS_IMAGES.win7);
    expect((await getDesktopRow(h.database.db, d.desktop_uuid))?.os).toBe("win7");
    expect((await h.steps(task.id)).map((s) => s.name)).toEqual(["rebuild", "wait_rebuild", "check_desktop"]);
  });

  it("without os, reimages to the image it runs", async () => {
    const d = await h.makeDesktop();
    const task = await h.run("desktop.rebuild", { desktop_uuid: d.desktop_uuid });
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(task.result).toMatchObject({ os: "win10" });
  });

  it("a re-run with the job recorded waits for it and does not reimage again", async () => {
    const d = await h.makeDesktop();
    const first = await h.run("desktop.rebuild", { desktop_uuid: d.desktop_uuid });
    const jobId = (first.progress as { jobId: string }).jobId;
    const before = await calls("POST /v2/{p}/desktops/rebuild");
    expect(before).toBeGreaterThan(0);
    const id = randomUUID();
    await h.database.db.transaction(async (tx) => {
      await insertTask(tx, {
        id,
        kind: "desktop.rebuild",
        request: { desktop_uuid: d.desktop_uuid },
        callbackUrl: null,
      });
      await saveProgress(tx, id, { volumeIdsBefore: [], jobId });
      await enqueue(h.boss, tx, "desktop.rebuild", { task_id: id });
    });
    const task = await h.waitTask(id);
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(await calls("POST /v2/{p}/desktops/rebuild")).toBe(before);
  });

  async function rerun(desktopId: string, progress: Record<string, unknown>) {
    const id = randomUUID();
    await h.database.db.transaction(async (tx) => {
      await insertTask(tx, {
        id,
        kind: "desktop.rebuild",
        request: { desktop_uuid: desktopId },
        callbackUrl: null,
      });
      await saveProgress(tx, id, progress);
      await enqueue(h.boss, tx, "desktop.rebuild", { task_id: id });
    });
    return h.waitTask(id);
  }

  it("a re-run whose request left but whose answer was lost finds that job and does not reimage again (found by the kill9 drill)", async () => {
    const d = await h.makeDesktop();
    const requestedAt = new Date().toISOString();
    // The request of the run that was killed: it reached the platform, its answer did not come back.
    const lost = await h.deps.platform.rebuildDesktop(d.desktop_uuid);
    const before = await calls("POST /v2/{p}/desktops/rebuild");
    const task = await rerun(d.desktop_uuid, { volumeIdsBefore: [], requestedAt });
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect((task.progress as { jobId: string }).jobId).toBe(lost.jobId);
    expect(await calls("POST /v2/{p}/desktops/rebuild")).toBe(before);
  });

  it("a re-run whose request never reached the platform asks once", async () => {
    const d = await h.makeDesktop();
    // An older rebuild of the same desktop, before this task asked: not this task's job.
    const older = await h.deps.platform.rebuildDesktop(d.desktop_uuid);
    await awaitJob(h.deps.platform, older.jobId, { intervalMs: 50, timeoutMs: 30_000 });
    const requestedAt = new Date(Date.now() + 180_000).toISOString();
    const before = await calls("POST /v2/{p}/desktops/rebuild");
    const task = await rerun(d.desktop_uuid, { volumeIdsBefore: [], requestedAt });
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect((task.progress as { jobId: string }).jobId).not.toBe(older.jobId);
    expect(await calls("POST /v2/{p}/desktops/rebuild")).toBe(before + 1);
  });
});

describe("user.offboard", () => {
  it("locks, deletes every desktop with its disks, closes VNC sessions, deletes the user; lists what went", async () => {
    const d = await h.makeDesktop();
    const volume = await withDataDisk(d);
    const second = await h.run("desktop.apply", { username: d.username, os: "win10" }, { callbackUrl: null });
    const other = (second.result as { desktop_uuid: string; desktop_name: string }).desktop_uuid;
    await h.addHpcAccount(d.username);
    const vnc = await h.run("hpc.vnc_open", { account: d.username });
    expect(vnc.state, vnc.error ?? "").toBe("succeeded");
    const sessionId = (vnc.result as { sessionId: string }).sessionId;

    const task = await h.run("user.offboard", { username: d.username });
    expect(task.state, task.error ?? "").toBe("succeeded");
    const result = task.result as { username: string; removed: Record<string, unknown[] | boolean> };
    expect(result.username).toBe(d.username);
    expect(result.removed.user).toBe(true);
    expect((result.removed.desktops as { desktop_uuid: string }[]).map((x) => x.desktop_uuid).sort()).toEqual(
      [d.desktop_uuid, other].sort(),
    );
    expect(result.removed.volumes).toEqual([{ volume_uuid: volume, desktop_uuid: d.desktop_uuid }]);
    expect(result.removed.vnc_sessions).toEqual([{ account: d.username, session_id: sessionId }]);
    expect((await h.steps(task.id)).map((s) => s.name)).toEqual([
      "find_user",
      "lock_user",
      "list_desktops",
      "delete_desktops",
      "wait_deleted",
      "close_vnc",
      "delete_user",
    ]);

    const state = await h.simState();
    expect(state.users.find((u) => u.user_name === d.username)).toBeUndefined();
    expect(state.desktops.filter((x) => x.user_name === d.username)).toEqual([]);
    expect(state.vnc_sessions.find((s) => s.sessionId === sessionId)).toBeUndefined();
    expect(await findUser(h.database.db, d.username)).toBeUndefined();
    expect(await listDesktopsOfUser(h.database.db, d.username)).toEqual([]);
    expect(await listVolumesOfDesktop(h.database.db, d.desktop_uuid)).toEqual([]);
    expect(await listOpenVncSessions(h.database.db, d.username)).toEqual([]);

    const again = await h.run("user.offboard", { username: d.username });
    expect(again.state, again.error ?? "").toBe("succeeded");
    expect(again.result).toMatchObject({
      removed: { desktops: [], volumes: [], vnc_sessions: [], user: false },
    });
  });

  it("resumes after a crash mid-way: the desktops' delete had left, nothing is sent twice", async () => {
    const d = await h.makeDesktop();
    const user = (await h.simState()).users.find((u) => u.user_name === d.username)!;
    // the earlier run found and locked the user, listed the desktop, sent the delete, then died
    await h.simVdi("POST", `/users/${user.id}/actions`, { op_type: "LOCK" });
    const left = await h.simVdi("POST", "/desktops/batch-delete", {
      desktop_ids: [d.desktop_uuid],
      delete_users: true,
    });
    expect(left.status).toBe(202);
    const [locks, deletes] = [
      await calls("POST /v2/{p}/users/{user_id}/actions"),
      await calls("POST /v2/{p}/desktops/batch-delete"),
    ];
    const task = await resume(
      "user.offboard",
      { username: d.username },
      {
        userId: user.id,
        locked: true,
        desktops: [{ id: d.desktop_uuid, name: d.desktop_name, volumeIds: [] }],
      },
    );
    expect(locks).toBeGreaterThan(0);
    expect(deletes).toBeGreaterThan(0);
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(task.result).toMatchObject({
      removed: { desktops: [{ desktop_uuid: d.desktop_uuid, desktop_name: d.desktop_name }], user: true },
    });
    expect(await calls("POST /v2/{p}/users/{user_id}/actions")).toBe(locks);
    expect(await calls("POST /v2/{p}/desktops/batch-delete")).toBe(deletes);
    const state = await h.simState();
    expect(state.users.find((u) => u.user_name === d.username)).toBeUndefined();
    expect(state.desktops.find((x) => x.desktop_id === d.desktop_uuid)).toBeUndefined();
    expect(await findUser(h.database.db, d.username)).toBeUndefined();
    expect(await getDesktopRow(h.database.db, d.desktop_uuid)).toBeUndefined();
  });
});

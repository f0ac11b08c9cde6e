import { randomUUID } from "node:crypto";
import {
  enqueue,
  findUser,
  getDesktopRow,
  insertTask,
  listVolumesOfDesktop,
  saveProgress,
} from "@deskgate/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GIB, type Harness, startHarness } from "./support/harness.ts";

/** desktop.delete and user.lock / user.unlock against the simulator over real HTTP. */
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

/** Insert a task with the given progress, as if an earlier run died, and let the worker resume it. */
async function resume(
  kind: "desktop.delete",
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

const batchDeletes = async () =>
  (await h.simState()).stats.by_route["POST /v2/{p}/desktops/batch-delete"] ?? 0;

describe("desktop.delete", () => {
  it("deletes the desktop and its data disk on the platform and in deskgate's tables; the user stays", async () => {
    const d = await h.makeDesktop();
    const volume = await withDataDisk(d);
    const task = await h.run("desktop.delete", { desktop_uuid: d.desktop_uuid });
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(task.result).toEqual({
      desktop_uuid: d.desktop_uuid,
      username: d.username,
      already_gone: false,
      volume_uuids: [volume],
      user_deleted: false,
    });
    const state = await h.simState();
    expect(state.desktops.find((x) => x.desktop_id === d.desktop_uuid)).toBeUndefined();
    expect(state.volumes.find((v) => v.volume_id === volume)).toBeUndefined();
    expect(state.users.find((u) => u.user_name === d.username)).toBeDefined();
    expect(await getDesktopRow(h.database.db, d.desktop_uuid)).toBeUndefined();
    expect(await listVolumesOfDesktop(h.database.db, d.desktop_uuid)).toEqual([]);
    expect(await findUser(h.database.db, d.username)).toBeDefined();
    expect((await h.steps(task.id)).map((s) => [s.name, s.outcome])).toEqual([
      ["find_desktop", "ok"],
      ["delete_desktop", "ok"],
      ["wait_deleted", "ok"],
    ]);
  });

  it("delete_user_if_last deletes the user with their last desktop", async () => {
    const d = await h.makeDesktop();
    const task = await h.run("desktop.delete", { desktop_uuid: d.desktop_uuid, delete_user_if_last: true });
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(task.result).toMatchObject({ user_deleted: true, username: d.username });
    expect((await h.simState()).users.find((u) => u.user_name === d.username)).toBeUndefined();
    expect(await findUser(h.database.db, d.username)).toBeUndefined();
  });

  it("delete_user_if_last keeps a user who has another desktop", async () => {
    const d = await h.makeDesktop();
    const second = await h.run("desktop.apply", { username: d.username, os: "win10" }, { callbackUrl: null });
    expect(second.state, second.error ?? "").toBe("succeeded");
    const task = await h.run("desktop.delete", { desktop_uuid: d.desktop_uuid, delete_user_if_last: true });
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(task.result).toMatchObject({ user_deleted: false });
    expect((await h.simState()).users.find((u) => u.user_name === d.username)).toBeDefined();
    expect(await findUser(h.database.db, d.username)).toBeDefined();
    const other = (second.result as { desktop_uuid: string }).desktop_uuid;
    expect(await getDesktopRow(h.database.db, other)).toBeDefined();
  });

  it("deleting what is already gone succeeds, and deskgate's rows follow", async () => {
    const d = await h.makeDesktop();
    const outside = await h.simVdi("DELETE", `/desktops/${d.desktop_uuid}?delete_users=false`);
    expect(outside.status).toBeLessThan(300);
    for (;;) {
      const got = await h.simVdi("GET", `/desktops/${d.desktop_uuid}`);
      if (got.status === 404) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const before = await batchDeletes();
    const task = await h.run("desktop.delete", { desktop_uuid: d.desktop_uuid });
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(task.result).toMatchObject({ already_gone: true, volume_uuids: [], user_deleted: false });
    expect(await batchDeletes()).toBe(before);
    expect(await getDesktopRow(h.database.db, d.desktop_uuid)).toBeUndefined();

    const again = await h.run("desktop.delete", { desktop_uuid: d.desktop_uuid });
    expect(again.state, again.error ?? "").toBe("succeeded");
    expect(again.result).toMatchObject({ already_gone: true, username: null });
  });

  it("resumes after a crash once the delete call had left: no second batch delete, the job is waited for", async () => {
    const d = await h.makeDesktop();
    const volume = await withDataDisk(d);
    // the earlier run looked, asked the platform to delete, and died before recording the job
    const left = await h.simVdi("POST", "/desktops/batch-delete", { desktop_ids: [d.desktop_uuid] });
    expect(left.status).toBe(202);
    const before = await batchDeletes();
    expect(before).toBeGreaterThan(0);
    const task = await resume(
      "desktop.delete",
      { desktop_uuid: d.desktop_uuid },
      { found: { exists: true, username: d.username, volumeIds: [volume] } },
    );
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(task.result).toMatchObject({ already_gone: false, volume_uuids: [volume] });
    expect(await batchDeletes()).toBe(before);
    expect((await h.simState()).desktops.find((x) => x.desktop_id === d.desktop_uuid)).toBeUndefined();
    expect(await getDesktopRow(h.database.db, d.desktop_uuid)).toBeUndefined();
  });

  it("resumes after a crash with the job recorded: waits for that job and finishes the user", async () => {
    const d = await h.makeDesktop();
    const left = await h.simVdi("POST", "/desktops/batch-delete", { desktop_ids: [d.desktop_uuid] });
    const before = await batchDeletes();
    const task = await resume(
      "desktop.delete",
      { desktop_uuid: d.desktop_uuid, delete_user_if_last: true },
      { found: { exists: true, username: d.username, volumeIds: [] }, deleteJobId: left.body.job_id },
    );
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(task.result).toMatchObject({ user_deleted: true });
    expect(await batchDeletes()).toBe(before);
    expect((await h.simState()).users.find((u) => u.user_name === d.username)).toBeUndefined();
    expect(await findUser(h.database.db, d.username)).toBeUndefined();
  });
});

describe("user.lock / user.unlock", () => {
  const lockedOnSim = async (name: string) =>
    ((await h.simState()).users.find((u) => u.user_name === name) as unknown as { locked: boolean }).locked;

  it("locks, locks again (fine), and unlocks the user on the platform", async () => {
    const d = await h.makeDesktop();
    const lock = await h.run("user.lock", { username: d.username });
    expect(lock.state, lock.error ?? "").toBe("succeeded");
    expect(lock.result).toMatchObject({ username: d.username, locked: true });
    expect(await lockedOnSim(d.username)).toBe(true);
    expect((await h.steps(lock.id)).map((s) => s.name)).toEqual(["find_user", "lock_user"]);
    const again = await h.run("user.lock", { username: d.username });
    expect(again.state, again.error ?? "").toBe("succeeded");
    expect(await lockedOnSim(d.username)).toBe(true);

    const unlock = await h.run("user.unlock", { username: d.username });
    expect(unlock.state, unlock.error ?? "").toBe("succeeded");
    expect(unlock.result).toMatchObject({ locked: false });
    expect(await lockedOnSim(d.username)).toBe(false);
  });

  it("an unknown user fails with a clear reason", async () => {
    const task = await h.run("user.lock", { username: "nobody-here" });
    expect(task.state).toBe("failed");
    expect(task.error).toMatch(/nobody-here does not exist/);
  });
});

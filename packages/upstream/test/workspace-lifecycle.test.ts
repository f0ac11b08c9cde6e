import { SIM_IMAGES } from "@deskgate/sim";
import { afterEach, describe, expect, it } from "vitest";
import { provision, succeed, uniqueName } from "../conformance/helpers.ts";
import { createWorkspacePlatform } from "../src/index.ts";
import { simControl, workspaceOnSim } from "./sim-harness.ts";

const kit = { intervalMs: 10, timeoutMs: 10_000 };
const open: { teardown(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.teardown()));
});

async function start(...args: Parameters<typeof workspaceOnSim>) {
  const h = await workspaceOnSim(...args);
  open.push(h);
  const control = simControl(h.url);
  const calls = async (route: string): Promise<number> => (await control.state()).stats.by_route[route] ?? 0;
  // biome-ignore lint/suspicious/noExplicitAny: simulator state is arbitrary JSON.
  const record = async (id: string): Promise<any> =>
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    ((await control.state()).desktops as any[]).find((d) => d.desktop_id === id);
  return { ...h, control, calls, record };
}

const BATCH_DELETE = "POST /v2/{p}/desktops/batch-delete";
const ACTION = "POST /v2/{p}/desktops/action";

describe("Workspace adapter: lifecycle on the wire", () => {
  it("deleteDesktops makes one batch-delete call for what is left, none when nothing is", async () => {
    const h = await start();
    const { user, desktop } = await provision(h.platform, kit);
    const action = await h.platform.deleteDesktops([desktop.id, desktop.id], { deleteUsers: true });
    expect(await h.calls(BATCH_DELETE)).toBe(1);
    const state = await h.control.state();
    // biome-ignore lint/suspicious/noExplicitAny: simulator state is arbitrary JSON.
    expect((state.jobs as any[]).find((j) => j.id === action.jobId)).toMatchObject({
      job_type: "deleteDesktops",
      sub_jobs: [{ entities: { desktop_id: desktop.id } }],
    });
    await succeed(h.platform, kit, { jobId: action.jobId! });
    expect(await h.platform.findUser(user.name)).toBeNull();
    expect(await h.platform.deleteDesktops([desktop.id])).toEqual({ jobId: null });
    expect(await h.calls(BATCH_DELETE)).toBe(1);
  });

  it("a desktop that vanished between the look and the call (404) is looked up again", async () => {
    const h = await start();
    const { desktop } = await provision(h.platform, kit);
    await h.control.faults({ fail_next: { route: "POST /desktops/batch-delete", status: 404, count: 1 } });
    const action = await h.platform.deleteDesktops([desktop.id]);
    expect(action.jobId).toEqual(expect.any(String));
    expect(await h.calls(BATCH_DELETE)).toBe(2);
  });

  it("a lasting 404 on batch-delete ends the look-again loop with the error", async () => {
    const h = await start();
    const { desktop } = await provision(h.platform, kit);
    await h.control.faults({ fail_next: { route: "POST /desktops/batch-delete", status: 404, count: 10 } });
    const e = await h.platform.deleteDesktops([desktop.id]).catch((x: unknown) => x);
    expect(e).toMatchObject({ reason: "not_found", transient: false });
    expect(await h.calls(BATCH_DELETE)).toBe(3);
  });

  it("lock and unlock set the user's locked flag on the platform", async () => {
    const h = await start();
    const user = await h.platform.createUser(uniqueName("cu"), "Kq7#vLm2!xZ9");
    await h.platform.lockUser(user.id);
    const locked = async () =>
      ((await h.control.state()).users as { id: string; locked: boolean }[]).find((u) => u.id === user.id)
        ?.locked;
    expect(await locked()).toBe(true);
    await h.platform.unlockUser(user.id);
    expect(await locked()).toBe(false);
  });

  it("power: a desktop already in the state costs no action call; reboot of a stopped one is os-start", async () => {
    const h = await start();
    const { desktop } = await provision(h.platform, kit);
    expect(await h.platform.powerDesktop(desktop.id, "start")).toEqual({ jobId: null });
    expect(await h.calls(ACTION)).toBe(0);
    const stop = await h.platform.powerDesktop(desktop.id, "stop", "HARD");
    expect((await h.record(desktop.id)).task_status).toBe("powering-off");
    await succeed(h.platform, kit, { jobId: stop.jobId! });
    expect((await h.record(desktop.id)).status).toBe("SHUTOFF");
    const reboot = await h.platform.powerDesktop(desktop.id, "reboot", "HARD");
    expect((await h.record(desktop.id)).task_status).toBe("powering-on");
    await succeed(h.platform, kit, { jobId: reboot.jobId! });
    expect((await h.record(desktop.id)).status).toBe("ACTIVE");
    expect(await h.calls(ACTION)).toBe(2);
  });

  it("power: two stops at once — one job; the other waits it out and finds the desktop off", async () => {
    const h = await start({ retry: { attempts: 12, baseDelayMs: 20, maxDelayMs: 40 } });
    const { desktop } = await provision(h.platform, kit);
    const results = await Promise.all([
      h.platform.powerDesktop(desktop.id, "stop"),
      h.platform.powerDesktop(desktop.id, "stop"),
    ]);
    const jobs = results.map((r) => r.jobId).filter((j) => j !== null);
    expect(jobs).toHaveLength(1);
    expect(results.filter((r) => r.jobId === null)).toHaveLength(1);
    // The second call reached the platform (busy, retried, then listed as failed: already off).
    expect(await h.calls(ACTION)).toBeGreaterThanOrEqual(2);
    expect((await h.platform.getDesktop(desktop.id))?.power).toBe("off");
  });

  it("rebuild without an os keeps the image the desktop runs; with one, takes the os table's image", async () => {
    const h = await start();
    const { desktop } = await provision(h.platform, kit, "win7");
    await succeed(h.platform, kit, await h.platform.rebuildDesktop(desktop.id));
    expect((await h.record(desktop.id)).image_id).toBe(SIM_IMAGES.win7.image_id);
    await succeed(h.platform, kit, await h.platform.rebuildDesktop(desktop.id, { os: "win10" }));
    expect((await h.record(desktop.id)).image_id).toBe(SIM_IMAGES.win10.image_id);
    expect((await h.platform.getDesktop(desktop.id))?.os).toBe("win10");
    // A Windows product cannot take the Linux image: the platform refuses, permanently.
    const e = await h.platform.rebuildDesktop(desktop.id, { os: "kylin" }).catch((x: unknown) => x);
    expect(e).toMatchObject({ transient: false, reason: "invalid", platformCode: "WKS.99000004" });
  });

  it("an image the os table does not know reads as os null", async () => {
    const h = await start();
    const { desktop } = await provision(h.platform, kit);
    expect(desktop.os).toBe("win10");
    const narrow = createWorkspacePlatform({
      ...h.connection,
      images: { win7: SIM_IMAGES.win7.image_id },
    });
    try {
      expect((await narrow.getDesktop(desktop.id))?.os).toBeNull();
    } finally {
      await narrow.close();
    }
  });

  it("tags travel as key/value pairs; the platform's count limit is a permanent refusal", async () => {
    const h = await start();
    const { desktop } = await provision(h.platform, kit);
    await h.platform.setDesktopTags(desktop.id, { ticket_id: "REQ-9", 项目: "甲 1" });
    expect((await h.record(desktop.id)).tags).toEqual([
      { key: "ticket_id", value: "REQ-9" },
      { key: "项目", value: "甲 1" },
    ]);
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, "v"]));
    const e = await h.platform.setDesktopTags(desktop.id, ten).catch((x: unknown) => x);
    expect(e).toMatchObject({ transient: false, reason: "invalid", platformCode: "WKS.99000014" });
    expect(await h.platform.getDesktopTags(desktop.id)).toEqual({ ticket_id: "REQ-9", 项目: "甲 1" });
  });
});

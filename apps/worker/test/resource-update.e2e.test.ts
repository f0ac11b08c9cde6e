import { getDesktopRow, listVolumesOfDesktop } from "@deskgate/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GIB, type Harness, startHarness } from "./support/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** Give a desktop data disks "outside deskgate" (sizes in GB), and wait for the platform job. */
async function addDisks(desktopId: string, sizesGb: number[]) {
  const res = await h.simVdi("POST", `/desktops/${desktopId}/volumes`, {
    volumes: sizesGb.map((size) => ({ type: "SAS", size })),
  });
  expect(res.status).toBe(200);
  for (;;) {
    const job = await h.simVdi("GET", `/workspace-jobs/${res.body.job_id}`);
    if (job.body.status === "SUCCESS") break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const detail = await h.simVdi("GET", `/desktops/${desktopId}`);
  return (detail.body.desktop.data_volumes as { volume_id: string; size: number }[]).map((v) => v.volume_id);
}

async function simVolume(volumeId: string) {
  const state = await h.simState();
  return state.volumes.find((v) => v.volume_id === volumeId);
}

const result = (t: { result: unknown }) => t.result as Record<string, unknown>;

describe("desktop.resource_update: the disk rules of SPEC 2.2", () => {
  it("no volume_uuid and no data disk: creates and attaches one, rounded up to 10 GB steps", async () => {
    const d = await h.makeDesktop();
    const task = await h.run("desktop.resource_update", { desktop_uuid: d.desktop_uuid, disk: 15 * GIB });
    expect(task.state, task.error ?? "").toBe("succeeded");
    const r = result(task);
    expect(r.volume_size).toBe(20 * GIB);
    expect(typeof r.volume_uuid).toBe("string");
    expect((await simVolume(r.volume_uuid as string))?.size).toBe(20);
    const mirror = await listVolumesOfDesktop(h.database.db, d.desktop_uuid);
    expect(mirror).toMatchObject([
      { volumeUuid: r.volume_uuid, sizeBytes: 20 * GIB, createdByTask: task.id },
    ]);
    const steps = (await h.steps(task.id)).map((s) => s.name);
    expect(steps).toEqual(["plan", "add_volume", "wait_volume", "refresh_mirror"]);
  });

  it("no volume_uuid and exactly one data disk: grows it", async () => {
    const d = await h.makeDesktop();
    const [only] = await addDisks(d.desktop_uuid, [10]);
    const task = await h.run("desktop.resource_update", { desktop_uuid: d.desktop_uuid, disk: 30 * GIB });
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(result(task)).toMatchObject({ volume_uuid: only, volume_size: 30 * GIB });
    expect((await simVolume(only!))?.size).toBe(30);
    expect(
      (await h.simState()).volumes.filter((v) => v.desktop_id === d.desktop_uuid && !v.bootable),
    ).toHaveLength(1);
  });

  it("volume_uuid given: grows that disk", async () => {
    const d = await h.makeDesktop();
    const [first, second] = await addDisks(d.desktop_uuid, [10, 20]);
    const task = await h.run("desktop.resource_update", {
      desktop_uuid: d.desktop_uuid,
      disk: 35 * GIB,
      volume_uuid: second,
    });
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(result(task)).toMatchObject({ volume_uuid: second, volume_size: 40 * GIB });
    expect((await simVolume(second!))?.size).toBe(40);
    expect((await simVolume(first!))?.size).toBe(10);
    const mirror = await listVolumesOfDesktop(h.database.db, d.desktop_uuid);
    expect(mirror.map((v) => [v.volumeUuid, v.sizeBytes]).sort()).toEqual(
      [
        [first, 10 * GIB],
        [second, 40 * GIB],
      ].sort(),
    );
  });

  it("no volume_uuid and several data disks: fails listing the disks", async () => {
    const d = await h.makeDesktop();
    const ids = await addDisks(d.desktop_uuid, [10, 20]);
    const task = await h.run("desktop.resource_update", { desktop_uuid: d.desktop_uuid, disk: 50 * GIB });
    expect(task.state).toBe("failed");
    expect(task.error).toContain("volume_uuid");
    for (const id of ids) expect(task.error).toContain(id);
  });

  it("a target below the current size fails: disks only grow", async () => {
    const d = await h.makeDesktop();
    const [only] = await addDisks(d.desktop_uuid, [30]);
    const task = await h.run("desktop.resource_update", { desktop_uuid: d.desktop_uuid, disk: 20 * GIB });
    expect(task.state).toBe("failed");
    expect(task.error).toMatch(/only grow/);
    expect((await simVolume(only!))?.size).toBe(30);
  });

  it("a target equal to the current size succeeds with nothing to do", async () => {
    const d = await h.makeDesktop();
    const [only] = await addDisks(d.desktop_uuid, [20]);
    const before = (await h.simState()).stats.by_route;
    const task = await h.run("desktop.resource_update", { desktop_uuid: d.desktop_uuid, disk: 20 * GIB });
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(result(task)).toMatchObject({ volume_uuid: only, volume_size: 20 * GIB });
    expect(result(task).note).toMatch(/nothing to do/);
    const after = (await h.simState()).stats.by_route;
    const expands = (s: Record<string, number>) =>
      Object.entries(s)
        .filter(([k]) => k.includes("expand"))
        .reduce((n, [, v]) => n + v, 0);
    expect(expands(after)).toBe(expands(before));
  });

  it("a volume_uuid that is not a disk of the desktop fails, listing its disks", async () => {
    const d = await h.makeDesktop();
    const [only] = await addDisks(d.desktop_uuid, [10]);
    const task = await h.run("desktop.resource_update", {
      desktop_uuid: d.desktop_uuid,
      disk: 20 * GIB,
      volume_uuid: "00000000-0000-4000-8000-00000000beef",
    });
    expect(task.state).toBe("failed");
    expect(task.error).toContain(only);
  });

  it("a target above the platform's maximum fails with the limit", async () => {
    const d = await h.makeDesktop();
    const task = await h.run("desktop.resource_update", { desktop_uuid: d.desktop_uuid, disk: 40_000 * GIB });
    expect(task.state).toBe("failed");
    expect(task.error).toMatch(/maximum/);
  });

  it("an unknown desktop fails", async () => {
    const task = await h.run("desktop.resource_update", {
      desktop_uuid: "00000000-0000-4000-8000-000000000404",
      disk: 20 * GIB,
    });
    expect(task.state).toBe("failed");
    expect(task.error).toMatch(/does not exist/);
  });
});

describe("desktop.resource_update: cpu and memory", () => {
  it("moves to the flavour with exactly that cpu and memory, and says the desktop was stopped", async () => {
    const d = await h.makeDesktop();
    const task = await h.run("desktop.resource_update", {
      desktop_uuid: d.desktop_uuid,
      cpu: 4,
      memory: 8 * GIB,
    });
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(result(task)).toMatchObject({ desktop_uuid: d.desktop_uuid, cpu: 4, memory: 8 * GIB });
    expect(result(task).note).toMatch(/stopped the desktop/);
    const desktop = (await h.simState()).desktops.find((x) => x.desktop_id === d.desktop_uuid);
    expect(desktop?.product_id).toBe("workspace.x86.c4m8.windows");
    expect(await getDesktopRow(h.database.db, d.desktop_uuid)).toMatchObject({
      cpu: 4,
      memoryBytes: 8 * GIB,
    });
  });

  it("an omitted value keeps its current one (memory only)", async () => {
    const d = await h.makeDesktop();
    const task = await h.run("desktop.resource_update", { desktop_uuid: d.desktop_uuid, memory: 8 * GIB });
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(result(task)).toMatchObject({ cpu: 2, memory: 8 * GIB });
  });

  it("no flavour with that combination: fails listing the available ones", async () => {
    const d = await h.makeDesktop();
    const task = await h.run("desktop.resource_update", { desktop_uuid: d.desktop_uuid, cpu: 4 });
    expect(task.state).toBe("failed");
    expect(task.error).toMatch(/no flavour has 4 vCPU/);
    expect(task.error).toContain("8 vCPU / 34359738368 bytes (32 GiB)");
  });

  it("disk and cpu together", async () => {
    const d = await h.makeDesktop();
    const task = await h.run("desktop.resource_update", {
      desktop_uuid: d.desktop_uuid,
      cpu: 8,
      memory: 16 * GIB,
      disk: 10 * GIB,
    });
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(result(task)).toMatchObject({ cpu: 8, memory: 16 * GIB, volume_size: 10 * GIB });
  });
});

import { randomUUID } from "node:crypto";
import { allocateGroupNumber, enqueue, getTask, insertTask, saveProgress } from "@deskgate/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GIB, type Harness, startHarness } from "./support/harness.ts";

/**
 * Re-runs that find an earlier run's half-finished work (the state a crash leaves): the task
 * row carries the earlier run's progress, the platform already has what it asked for.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

async function settle(jobId: string) {
  for (;;) {
    const job = await h.simVdi("GET", `/workspace-jobs/${jobId}`);
    if (["SUCCESS", "FAIL"].includes(job.body.status)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Insert a task with the given progress, as if an earlier run died, and let the worker resume it. */
async function resume(
  kind: "desktop.resource_update",
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

describe("resource_update resumes without a second disk", () => {
  it("the add request left, the run died before recording its job: the disk is found, not added again", async () => {
    const d = await h.makeDesktop();
    const added = await h.simVdi("POST", `/desktops/${d.desktop_uuid}/volumes`, {
      volumes: [{ type: "SAS", size: 20 }],
    });
    await settle(added.body.job_id);
    const task = await resume(
      "desktop.resource_update",
      { desktop_uuid: d.desktop_uuid, disk: 20 * GIB },
      {
        plan: { disk: { action: "create", targetBytes: 20 * GIB } },
        volumeIdsBefore: [],
        addRequested: true,
      },
    );
    expect(task.state, task.error ?? "").toBe("succeeded");
    const disks = (await h.simState()).volumes.filter((v) => v.desktop_id === d.desktop_uuid && !v.bootable);
    expect(disks).toHaveLength(1);
    expect(task.result).toMatchObject({ volume_uuid: disks[0]!.volume_id, volume_size: 20 * GIB });
  });

  it("the add job is still running when the re-run comes: it waits for it instead of adding another", async () => {
    const d = await h.makeDesktop();
    const added = await h.simVdi("POST", `/desktops/${d.desktop_uuid}/volumes`, {
      volumes: [{ type: "SAS", size: 10 }],
    });
    const task = await resume(
      "desktop.resource_update",
      { desktop_uuid: d.desktop_uuid, disk: 10 * GIB },
      {
        plan: { disk: { action: "create", targetBytes: 10 * GIB } },
        volumeIdsBefore: [],
        addRequested: true,
      },
    );
    await settle(added.body.job_id);
    expect(task.state, task.error ?? "").toBe("succeeded");
    const disks = (await h.simState()).volumes.filter((v) => v.desktop_id === d.desktop_uuid && !v.bootable);
    expect(disks).toHaveLength(1);
  });

  it("a grow whose job already finished is not repeated", async () => {
    const d = await h.makeDesktop();
    const added = await h.simVdi("POST", `/desktops/${d.desktop_uuid}/volumes`, {
      volumes: [{ type: "SAS", size: 10 }],
    });
    await settle(added.body.job_id);
    const detail = await h.simVdi("GET", `/desktops/${d.desktop_uuid}`);
    const volumeId = detail.body.desktop.data_volumes[0].volume_id as string;
    const grown = await h.simVdi("POST", `/desktops/${d.desktop_uuid}/volumes/${volumeId}/expand`, {
      new_size: 30,
    });
    await settle(grown.body.job_id);
    const task = await resume(
      "desktop.resource_update",
      { desktop_uuid: d.desktop_uuid, disk: 30 * GIB },
      { plan: { disk: { action: "grow", volumeId, targetBytes: 30 * GIB, currentBytes: 10 * GIB } } },
    );
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(task.result).toMatchObject({ volume_uuid: volumeId, volume_size: 30 * GIB });
    const row = await getTask(h.database.db, task.id);
    expect((row!.progress as { expandJobId?: string }).expandJobId).toBeUndefined();
  });
});

describe("apply resumes its group number", () => {
  it("a run that took a number and died before checking it: the re-run uses that number, leaving no gap", async () => {
    await allocateGroupNumber(h.database.db, "resm"); // the earlier run's allocation: resm_01
    const id = randomUUID();
    const request = { username: "resm", os: "win10", callback_url: "http://127.0.0.1:9/cb" };
    await h.database.db.transaction(async (tx) => {
      await insertTask(tx, { id, kind: "desktop.apply", request, callbackUrl: null });
      await saveProgress(tx, id, { mode: "new_user", candidate: "resm_01" });
      await enqueue(h.boss, tx, "desktop.apply", { task_id: id });
    });
    const task = await h.waitTask(id);
    expect(task.state).toBe("succeeded");
    expect(task.result).toMatchObject({ username: "resm_01", new_user: true });
    const next = await h.waitTask(
      await h.submit("desktop.apply", { ...request, callback_url: undefined }, { callbackUrl: null }),
    );
    expect(next.result).toMatchObject({ username: "resm_02" });
  });
});

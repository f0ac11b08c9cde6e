import { findUser, listDesktopsOfUser, listVolumesOfDesktop, schema } from "@deskgate/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcile } from "../src/jobs/reconcile.ts";
import { RECONCILE_CRON } from "../src/worker.ts";
import { type Harness, SIM_OS_IMAGES, startHarness } from "./support/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({});
});
afterAll(async () => {
  await h?.stop();
});

async function settle(jobId: string) {
  for (;;) {
    const job = await h.simVdi("GET", `/workspace-jobs/${jobId}`);
    if (["SUCCESS", "FAIL"].includes(job.body.status)) return job.body.status;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function gone(path: string) {
  while ((await h.simVdi("GET", path)).status === 200) await new Promise((r) => setTimeout(r, 20));
}

describe("platform.reconcile", () => {
  it("brings the mirror in step and records drift for what changed outside deskgate", async () => {
    const a = await h.makeDesktop();
    const b = await h.makeDesktop();
    const c = await h.makeDesktop();

    // outside deskgate: a second desktop for a's user, a disk on a's desktop,
    // b's desktop deleted, c's desktop and user deleted
    const created = await h.simVdi("POST", "/desktops", {
      desktop_type: "DEDICATED",
      product_id: "workspace.x86.c2m4.windows",
      image_type: "gold",
      image_id: SIM_OS_IMAGES.win10,
      root_volume: { type: "SAS", size: 80 },
      desktops: [{ user_name: a.username, user_group: "users", computer_name: "OUTSIDE01" }],
      email_notification: false,
    });
    expect(await settle(created.body.job_id)).toBe("SUCCESS");
    const disk = await h.simVdi("POST", `/desktops/${a.desktop_uuid}/volumes`, {
      volumes: [{ type: "SAS", size: 10 }],
    });
    expect(await settle(disk.body.job_id)).toBe("SUCCESS");
    await h.simVdi("DELETE", `/desktops/${b.desktop_uuid}?delete_users=false&email_notification=false`);
    await h.simVdi("DELETE", `/desktops/${c.desktop_uuid}?delete_users=false&email_notification=false`);
    await gone(`/desktops/${b.desktop_uuid}`);
    await gone(`/desktops/${c.desktop_uuid}`);
    const users = await h.simVdi("GET", `/users?user_name=${c.username}`);
    const cId = (users.body.users as { id: string; user_name: string }[]).find(
      (u) => u.user_name === c.username,
    )!.id;
    expect((await h.simVdi("DELETE", `/users/${cId}`)).status).toBe(204);

    const summary = await reconcile(h.deps);
    expect(summary.drift).toBe(5);
    const drift = await h.database.db.select().from(schema.drift);
    expect(drift.map((d) => [d.objectKind, d.change]).sort()).toEqual(
      [
        ["desktop", "created_outside"],
        ["volume", "created_outside"],
        ["desktop", "removed_outside"],
        ["desktop", "removed_outside"],
        ["user", "removed_outside"],
      ].sort(),
    );
    const removed = drift.filter((d) => d.change === "removed_outside" && d.objectKind === "desktop");
    expect(removed.map((d) => d.objectId).sort()).toEqual([b.desktop_uuid, c.desktop_uuid].sort());

    const aDesktops = await listDesktopsOfUser(h.database.db, a.username);
    expect(aDesktops.map((d) => d.desktopName).sort()).toEqual([a.desktop_name, "OUTSIDE01"].sort());
    expect(await listVolumesOfDesktop(h.database.db, a.desktop_uuid)).toHaveLength(1);
    expect(await listDesktopsOfUser(h.database.db, b.username)).toEqual([]);
    expect(await findUser(h.database.db, b.username)).toBeTruthy();
    expect(await findUser(h.database.db, c.username)).toBeUndefined();

    // in step now: a second pass finds nothing new
    expect((await reconcile(h.deps)).drift).toBe(0);
  });

  it("runs as a task when enqueued with one (operator), with its step recorded", async () => {
    const task = await h.run("platform.reconcile", {}, { callbackUrl: null });
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(task.result).toMatchObject({ drift: 0 });
    expect((await h.steps(task.id)).map((s) => s.name)).toEqual(["reconcile"]);
  });

  it("the worker puts reconcile on its cron", async () => {
    const other = await startHarness({
      overrides: {
        settings: { pollIntervalMs: 20, jobTimeoutMs: 30_000, concurrency: 2 },
      },
    });
    try {
      const schedules = await other.boss.getSchedules();
      expect(schedules.map((s) => [s.name, s.cron])).toContainEqual(["platform.reconcile", RECONCILE_CRON]);
    } finally {
      await other.stop();
    }
  });
});

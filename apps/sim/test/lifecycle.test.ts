import { describe, expect, it } from "vitest";
import { desktopBody, type Harness, provision, start, waitFor, waitJob } from "./helpers.ts";

const gone = (h: Harness, desktopId: string) =>
  waitFor(async () => ((await h.vdi("GET", `/desktops/${desktopId}`)).status === 404 ? true : undefined));

async function secondDesktop(h: Harness, userName: string): Promise<string> {
  const job = await waitJob(h, (await h.vdi("POST", "/desktops", desktopBody(userName))).body.job_id);
  return job.sub_jobs[0].entities.desktop_id;
}

describe("VDI batch delete (BatchDeleteDesktops)", () => {
  it("deletes through a deleteDesktops job: DELETING at once, then gone with disks and quota", async () => {
    const h = await start({ jobPhaseMs: 60 });
    const { desktopId, userId } = await provision(h, "dina", { data_volumes: [{ type: "SAS", size: 50 }] });
    const before = (await h.call("GET", "/_sim/state")).body.quotas.used;
    expect(before).toMatchObject({ general_instances: 1, volumes: 2, volume_gigabytes: 130 });

    const accepted = await h.vdi("POST", "/desktops/batch-delete", {
      desktop_ids: [desktopId],
      delete_users: false,
      email_notification: false,
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body.job_id).toMatch(/^[0-9a-f-]{36}$/);
    const during = (await h.vdi("GET", `/desktops/${desktopId}`)).body.desktop;
    expect(during).toMatchObject({ status: "DELETING", task_status: "deleting" });
    const again = await h.vdi("POST", "/desktops/batch-delete", { desktop_ids: [desktopId] });
    expect(again).toMatchObject({ status: 409, body: { error_code: "WKS.00010032" } });

    const job = await waitJob(h, accepted.body.job_id);
    expect(job).toMatchObject({
      job_type: "deleteDesktops",
      status: "SUCCESS",
      sub_jobs: [{ job_type: "deleteDesktops", status: "SUCCESS", entities: { desktop_id: desktopId } }],
    });
    expect((await h.vdi("GET", `/desktops/${desktopId}`)).status).toBe(404);
    const after = (await h.call("GET", "/_sim/state")).body;
    expect(after.quotas.used).toMatchObject({
      general_instances: 0,
      cores: 0,
      volumes: 0,
      volume_gigabytes: 0,
    });
    expect(after.volumes).toEqual([]);
    expect((await h.vdi("GET", `/users/${userId}`)).status).toBe(200);
  });

  it("delete_users deletes the user once they own no other desktop, across one batch too", async () => {
    const h = await start();
    const { desktopId: first, userId } = await provision(h, "finn");
    const second = await secondDesktop(h, "finn");
    const third = await secondDesktop(h, "finn");

    const one = await h.vdi("POST", "/desktops/batch-delete", { desktop_ids: [first], delete_users: true });
    await waitJob(h, one.body.job_id);
    expect((await h.vdi("GET", `/users/${userId}`)).body.user_detail).toMatchObject({ total_desktops: 2 });

    const both = await h.vdi("POST", "/desktops/batch-delete", {
      desktop_ids: [second, third],
      delete_users: true,
    });
    const job = await waitJob(h, both.body.job_id);
    expect(job.sub_jobs).toHaveLength(2);
    expect((await h.vdi("GET", `/users/${userId}`)).body.error_code).toBe("WKS.00170312");
  });

  it("refuses unknown, duplicate or busy desktops for the whole request, changing nothing", async () => {
    const h = await start({ jobPhaseMs: 80 });
    const { desktopId } = await provision(h, "gus");
    const unknown = await h.vdi("POST", "/desktops/batch-delete", {
      desktop_ids: [desktopId, crypto.randomUUID()],
    });
    expect(unknown).toMatchObject({ status: 404, body: { error_code: "WKS.99000002" } });
    expect((await h.vdi("GET", `/desktops/${desktopId}`)).body.desktop.status).toBe("ACTIVE");
    expect(
      await h.vdi("POST", "/desktops/batch-delete", { desktop_ids: [desktopId, desktopId] }),
    ).toMatchObject({ status: 400, body: { error_code: "WKS.0001" } });
    expect(await h.vdi("POST", "/desktops/batch-delete", { desktop_ids: [] })).toMatchObject({ status: 400 });
    expect(
      await h.vdi("POST", "/desktops/batch-delete", { desktop_ids: [desktopId], delete_users: "yes" }),
    ).toMatchObject({ status: 400 });

    const creating = await h.vdi("POST", "/desktops", desktopBody("gus"));
    const newId = (await h.vdi("GET", `/workspace-jobs/${creating.body.job_id}`)).body.sub_jobs[0].entities
      .desktop_id;
    const busy = await h.vdi("POST", "/desktops/batch-delete", { desktop_ids: [desktopId, newId] });
    expect(busy).toMatchObject({ status: 409, body: { error_code: "WKS.00010032" } });
    expect((await h.vdi("GET", `/desktops/${desktopId}`)).body.desktop.status).toBe("ACTIVE");
  });

  it("deletes a desktop whose creation failed (ERROR)", async () => {
    const h = await start();
    await h.vdi("POST", "/users", {
      user_name: "hal",
      active_type: "ADMIN_ACTIVATE",
      password: "Str0ng!Pass",
    });
    await h.call("POST", "/_sim/faults", { job_fail_rate: 1 });
    const failed = await waitJob(h, (await h.vdi("POST", "/desktops", desktopBody("hal"))).body.job_id);
    const desktopId = failed.sub_jobs[0].entities.desktop_id;
    const accepted = await h.vdi("POST", "/desktops/batch-delete", { desktop_ids: [desktopId] });
    expect((await waitJob(h, accepted.body.job_id)).status).toBe("SUCCESS");
    await gone(h, desktopId);
  });
});

describe("VDI user lock (ChangeUserStatus)", () => {
  it("locks and unlocks synchronously (204), repeatably, visible in the user and /_sim/state", async () => {
    const h = await start();
    const { userId } = await provision(h, "ivy");
    const act = (op_type: string) => h.vdi("POST", `/users/${userId}/actions`, { op_type });
    expect((await act("LOCK")).status).toBe(204);
    expect((await act("LOCK")).status).toBe(204);
    expect((await h.vdi("GET", `/users/${userId}`)).body.user_detail.locked).toBe(true);
    expect((await h.vdi("GET", "/users?user_name=ivy")).body.users[0].locked).toBe(true);
    expect((await h.call("GET", "/_sim/state")).body.users[0]).toMatchObject({
      user_name: "ivy",
      locked: true,
    });
    expect((await act("UNLOCK")).status).toBe(204);
    expect((await act("UNLOCK")).status).toBe(204);
    expect((await h.vdi("GET", `/users/${userId}`)).body.user_detail.locked).toBe(false);
    expect(await act("FREEZE")).toMatchObject({ status: 400, body: { error_code: "WKS.0001" } });
    const ghost = await h.vdi("POST", "/users/0123456789abcdef0123456789abcdef/actions", { op_type: "LOCK" });
    expect(ghost).toMatchObject({ status: 400, body: { error_code: "WKS.00170312" } });
  });

  it("a locked user's desktops can still be deleted, and the user with them", async () => {
    const h = await start();
    const { userId, desktopId } = await provision(h, "jon");
    await h.vdi("POST", `/users/${userId}/actions`, { op_type: "LOCK" });
    const accepted = await h.vdi("POST", "/desktops/batch-delete", {
      desktop_ids: [desktopId],
      delete_users: true,
    });
    await waitJob(h, accepted.body.job_id);
    expect((await h.vdi("GET", `/users/${userId}`)).status).toBe(400);
  });
});

import { describe, expect, it } from "vitest";
import { createUser, desktopBody, provision, start, waitFor, waitJob } from "./helpers.ts";

describe("VDI desktops", () => {
  it("creates a desktop through a job that runs WAITING → RUNNING → SUCCESS", async () => {
    const h = await start({ jobPhaseMs: 150 });
    await createUser(h, "proj_01");
    const accepted = await h.vdi("POST", "/desktops", desktopBody("proj_01"));
    expect(accepted.status).toBe(200);
    const jobId: string = accepted.body.job_id;
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);

    const waiting = await h.vdi("GET", `/workspace-jobs/${jobId}`);
    expect(waiting.body).toMatchObject({ status: "WAITING", job_type: "createDesktops", sub_jobs_total: 1 });
    const desktopId: string = waiting.body.sub_jobs[0].entities.desktop_id;
    const early = await h.vdi("GET", `/desktops/${desktopId}`);
    expect(early.body.desktop).toMatchObject({ status: "", task_status: "scheduling" });

    const running = await waitFor(async () => {
      const res = await h.vdi("GET", `/workspace-jobs/${jobId}`);
      return res.body.status === "RUNNING" ? res.body : undefined;
    });
    expect(running.sub_jobs[0]).toMatchObject({ status: "RUNNING", entities: { desktop_id: desktopId } });

    const done = await waitJob(h, jobId);
    expect(done).toMatchObject({ status: "SUCCESS", sub_jobs: [{ status: "SUCCESS", process: 100 }] });
    expect(done.end_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    const detail = (await h.vdi("GET", `/desktops/${desktopId}`)).body.desktop;
    expect(detail).toMatchObject({
      desktop_id: desktopId,
      computer_name: "PROJ0101",
      user_name: "proj_01",
      status: "ACTIVE",
      task_status: "",
      attach_state: "ATTACHED",
      product: { product_id: "workspace.x86.c2m4.windows", cpu: "2", memory: "4096" },
      data_volumes: [],
      attach_user_infos: [{ user_name: "proj_01", user_group: "administrators" }],
    });
    expect(detail.sid).toMatch(/^[0-9a-f-]{36}$/);
    expect(detail.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const list = await h.vdi("GET", "/desktops?user_name=PROJ");
    expect(list.body).toMatchObject({
      total_count: 1,
      desktops: [{ desktop_id: desktopId, status: "ACTIVE" }],
    });
    const byName = await h.vdi("GET", "/desktops?computer_name=PROJ0101");
    expect(byName.body.total_count).toBe(1);
    expect((await h.vdi("GET", "/desktops?computer_name=PROJ01")).body.total_count).toBe(0);
    expect((await h.vdi("GET", `/desktops?desktop_id=${desktopId}&status=ACTIVE`)).body.total_count).toBe(1);

    const subs = await h.vdi("GET", `/workspace-sub-jobs?job_id=${jobId}`);
    expect(subs.body).toMatchObject({ total_count: 1, jobs: [{ job_id: jobId, status: "SUCCESS" }] });
    expect((await h.vdi("GET", `/workspace-jobs/${crypto.randomUUID()}`)).status).toBe(404);
  });

  it("keeps computer names unique and apart from user names", async () => {
    const h = await start();
    await createUser(h, "anna");
    const named = (computer_name: string) =>
      h.vdi("POST", "/desktops", desktopBody("anna", { desktops: [{ user_name: "anna", computer_name }] }));
    expect((await named("ANNA-PC")).status).toBe(200);
    expect(await named("anna-pc")).toMatchObject({ status: 409, body: { error_code: "WKS.99000011" } });
    expect(await named("anna")).toMatchObject({ status: 400, body: { error_code: "WKS.0001" } });
    expect(await named("bad_name")).toMatchObject({ status: 400, body: { error_code: "WKS.0001" } });
    expect(await named("ends-")).toMatchObject({ status: 400 });
    expect(await named("SIXTEEN-CHARS-XX")).toMatchObject({ status: 400 });

    const auto = await h.vdi("POST", "/desktops", desktopBody("anna"));
    const auto2 = await h.vdi("POST", "/desktops", desktopBody("anna"));
    const names = await Promise.all(
      [auto, auto2].map(async (r) => (await waitJob(h, r.body.job_id)).sub_jobs[0].desktop_name),
    );
    expect(names).toEqual(["ANNA01", "ANNA02"]);
  });

  it("validates the create request", async () => {
    const h = await start({ macos: false });
    await createUser(h, "ben");
    const post = (extra: Record<string, unknown>) => h.vdi("POST", "/desktops", desktopBody("ben", extra));
    expect(await post({ desktops: [{ user_name: "ghost" }] })).toMatchObject({
      status: 400,
      body: { error_code: "WKS.00170312" },
    });
    expect(await post({ product_id: "nope" })).toMatchObject({
      status: 400,
      body: { error_code: "WKS.99000004" },
    });
    expect(await post({ product_id: "workspace.x86.c2m4.linux" })).toMatchObject({
      body: { error_code: "WKS.99000004" },
    });
    expect(await post({ image_id: "00000000-0000-4000-8000-000000000030" })).toMatchObject({
      status: 400,
      body: { error_code: "WKS.0001" },
    });
    expect(await post({ root_volume: { type: "SAS", size: 70 } })).toMatchObject({
      body: { error_code: "WKS.99000009" },
    });
    expect(await post({ data_volumes: [{ type: "SAS", size: 15 }] })).toMatchObject({
      body: { error_code: "WKS.99000009" },
    });
    const eleven = Array.from({ length: 11 }, () => ({ type: "SAS", size: 10 }));
    expect(await post({ data_volumes: eleven })).toMatchObject({ body: { error_code: "WKS.99000008" } });
    expect(await post({ desktop_type: "PERSONAL" })).toMatchObject({
      status: 400,
      body: { error_code: "WKS.0001" },
    });
    expect(await post({ desktops: [{ user_name: "ben", user_group: "sudo" }] })).toMatchObject({
      status: 400,
    });
    expect(await post({ desktops: [] })).toMatchObject({ status: 400 });
  });

  it("keeps a desktop whose create job failed in ERROR until it is deleted", async () => {
    const h = await start({ jobPhaseMs: 100 });
    await createUser(h, "carl");
    await h.call("POST", "/_sim/faults", { job_fail_rate: 1 });
    const accepted = await h.vdi("POST", "/desktops", desktopBody("carl"));
    const job = await waitJob(h, accepted.body.job_id);
    expect(job).toMatchObject({
      status: "FAIL",
      job_error_code: "WKS.00010110",
      sub_jobs: [
        {
          status: "FAILED",
          error_code: "WKS.00010110",
          fail_reason: "Desktops cannot obtain valid IP addresses.",
        },
      ],
    });
    const desktopId = job.sub_jobs[0].entities.desktop_id;
    expect((await h.vdi("GET", `/desktops/${desktopId}`)).body.desktop.status).toBe("ERROR");
    const resize = await h.vdi("POST", "/desktops/resize", {
      desktops: [{ desktop_id: desktopId }],
      product_id: "workspace.x86.c4m8.windows",
      mode: "STOP_DESKTOP",
    });
    expect(resize).toMatchObject({ status: 409, body: { error_code: "WKS.00010032" } });

    expect(
      (await h.vdi("DELETE", `/desktops/${desktopId}?delete_users=false&email_notification=false`)).status,
    ).toBe(204);
    expect((await h.vdi("GET", `/desktops/${desktopId}`)).body.desktop.status).toBe("DELETING");
    await waitFor(async () =>
      (await h.vdi("GET", `/desktops/${desktopId}`)).status === 404 ? true : undefined,
    );
    const gone = await h.vdi("GET", `/desktops/${desktopId}`);
    expect(gone.body.error_code).toBe("WKS.99000002");
    expect((await h.vdi("GET", "/users?user_name=carl")).body.total_count).toBe(1);
  });

  it("retries a failed create job", async () => {
    const h = await start();
    await createUser(h, "dora");
    await h.call("POST", "/_sim/faults", { job_fail_rate: 1 });
    const failed = await waitJob(h, (await h.vdi("POST", "/desktops", desktopBody("dora"))).body.job_id);
    await h.call("POST", "/_sim/faults", {});
    const retried = await h.vdi("POST", `/workspace-jobs/${failed.id}/actions`, { op_type: "retry" });
    const job = await waitJob(h, retried.body.job_id);
    expect(job.status).toBe("SUCCESS");
    expect(job.sub_jobs[0].entities.desktop_id).toBe(failed.sub_jobs[0].entities.desktop_id);
  });

  it("deletes the user with delete_users=true only when they own no other desktop", async () => {
    const h = await start();
    const { desktopId, userId } = await provision(h, "eve");
    const second = await waitJob(h, (await h.vdi("POST", "/desktops", desktopBody("eve"))).body.job_id);
    expect((await h.vdi("DELETE", `/desktops/${desktopId}?delete_users=true`)).status).toBe(204);
    await waitFor(async () =>
      (await h.vdi("GET", `/desktops/${desktopId}`)).status === 404 ? true : undefined,
    );
    expect((await h.vdi("GET", `/users/${userId}`)).status).toBe(200);

    const other = second.sub_jobs[0].entities.desktop_id;
    await h.vdi("DELETE", `/desktops/${other}?delete_users=true`);
    await waitFor(async () => ((await h.vdi("GET", `/users/${userId}`)).status === 400 ? true : undefined));
  });
});

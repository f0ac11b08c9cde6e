import { describe, expect, it } from "vitest";
import { SIM_IMAGES } from "../src/index.ts";
import { type Harness, provision, start, waitJob } from "./helpers.ts";

const detail = async (h: Harness, id: string) => (await h.vdi("GET", `/desktops/${id}`)).body.desktop;
const act = (h: Harness, ids: string[], op_type: string, type?: string) =>
  h.vdi("POST", "/desktops/action", { desktop_ids: ids, op_type, ...(type ? { type } : {}) });

describe("VDI power actions (BatchRunDesktops)", () => {
  it("stops, starts and reboots through operateDesktops jobs; status changes at the end", async () => {
    const h = await start({ jobPhaseMs: 60 });
    const { desktopId } = await provision(h, "kim");
    const stop = await act(h, [desktopId], "os-stop");
    expect(stop).toMatchObject({
      status: 200,
      body: { job_id: expect.any(String), failed_operation_list: [] },
    });
    expect(await detail(h, desktopId)).toMatchObject({ status: "ACTIVE", task_status: "powering-off" });
    const busy = await act(h, [desktopId], "os-start");
    expect(busy).toMatchObject({ status: 409, body: { error_code: "WKS.00010032" } });
    const stopped = await waitJob(h, stop.body.job_id);
    expect(stopped).toMatchObject({ job_type: "operateDesktops", status: "SUCCESS" });
    expect(await detail(h, desktopId)).toMatchObject({ status: "SHUTOFF", task_status: "" });
    expect((await h.call("GET", "/_sim/state")).body.desktops[0]).toMatchObject({
      status: "SHUTOFF",
      busy: null,
    });

    const start2 = await act(h, [desktopId], "os-start", "SOFT");
    expect(await detail(h, desktopId)).toMatchObject({ status: "SHUTOFF", task_status: "powering-on" });
    await waitJob(h, start2.body.job_id);
    expect((await detail(h, desktopId)).status).toBe("ACTIVE");

    const reboot = await act(h, [desktopId], "reboot", "HARD");
    expect((await detail(h, desktopId)).task_status).toBe("reboot_pending_hard");
    await waitJob(h, reboot.body.job_id);
    expect(await detail(h, desktopId)).toMatchObject({ status: "ACTIVE", task_status: "" });

    const hibernate = await act(h, [desktopId], "os-hibernate");
    await waitJob(h, hibernate.body.job_id);
    expect((await detail(h, desktopId)).status).toBe("HIBERNATED");
    await waitJob(h, (await act(h, [desktopId], "os-start")).body.job_id);
    expect((await detail(h, desktopId)).status).toBe("ACTIVE");
  });

  it("lists pointless operations in failed_operation_list, without a job when none is left", async () => {
    const h = await start();
    const { desktopId } = await provision(h, "lea");
    const { desktopId: other } = await provision(h, "max");
    const already = await act(h, [desktopId], "os-start");
    expect(already.status).toBe(200);
    expect(already.body.job_id).toBeUndefined();
    expect(already.body.failed_operation_list).toEqual([
      {
        desktop_id: desktopId,
        desktop_name: expect.any(String),
        error_code: "WKS.99000013",
        error_msg: expect.stringContaining("ACTIVE"),
      },
    ]);
    await waitJob(h, (await act(h, [other], "os-stop")).body.job_id);
    const mixed = await act(h, [desktopId, other], "os-stop");
    expect(mixed.body.failed_operation_list).toMatchObject([{ desktop_id: other }]);
    const job = await waitJob(h, mixed.body.job_id);
    expect(job.sub_jobs.map((s: { entities: { desktop_id: string } }) => s.entities.desktop_id)).toEqual([
      desktopId,
    ]);
    expect((await detail(h, desktopId)).status).toBe("SHUTOFF");
  });

  it("validates the request", async () => {
    const h = await start();
    const { desktopId } = await provision(h, "ned");
    expect(await act(h, [desktopId], "os-explode")).toMatchObject({
      status: 400,
      body: { error_code: "WKS.0001" },
    });
    expect(await act(h, [desktopId], "reboot", "GENTLE")).toMatchObject({ status: 400 });
    expect(await act(h, [], "reboot")).toMatchObject({ status: 400 });
    expect(await act(h, [crypto.randomUUID()], "reboot")).toMatchObject({
      status: 404,
      body: { error_code: "WKS.99000002" },
    });
  });

  it("a stopped desktop keeps its power state through a resize", async () => {
    const h = await start();
    const { desktopId } = await provision(h, "ola");
    await waitJob(h, (await act(h, [desktopId], "os-stop")).body.job_id);
    const resize = await h.vdi("POST", "/desktops/resize", {
      desktops: [{ desktop_id: desktopId }],
      product_id: "workspace.x86.c4m8.windows",
      mode: "STOP_DESKTOP",
    });
    await waitJob(h, resize.body.job_id);
    expect(await detail(h, desktopId)).toMatchObject({
      status: "SHUTOFF",
      product_id: "workspace.x86.c4m8.windows",
    });
  });
});

describe("VDI rebuild (BatchRebuildDesktopsSystemDisk)", () => {
  const rebuild = (h: Harness, ids: string[], image_id: string, extra: Record<string, unknown> = {}) =>
    h.vdi("POST", "/desktops/rebuild", { desktop_ids: ids, image_type: "gold", image_id, ...extra });

  it("reimages the system disk: same id, SID, data disks and tags; new image; ACTIVE after", async () => {
    const h = await start({ jobPhaseMs: 60 });
    const { desktopId } = await provision(h, "pia", { data_volumes: [{ type: "SAS", size: 40 }] });
    await h.vdi("POST", `/desktops/${desktopId}/tags`, { tag: { key: "ticket_id", value: "T-1" } });
    await waitJob(h, (await act(h, [desktopId], "os-stop")).body.job_id);
    const before = await detail(h, desktopId);

    const accepted = await rebuild(h, [desktopId], SIM_IMAGES.win7.image_id, {
      os_type: "Windows",
      delay_time: 0,
    });
    expect(accepted).toMatchObject({ status: 200, body: { job_id: expect.any(String) } });
    expect((await detail(h, desktopId)).task_status).toBe("rebuilding");
    expect(await rebuild(h, [desktopId], SIM_IMAGES.win7.image_id)).toMatchObject({
      status: 409,
      body: { error_code: "WKS.00010032" },
    });
    const job = await waitJob(h, accepted.body.job_id);
    expect(job).toMatchObject({ job_type: "rebuildDesktops", status: "SUCCESS" });

    const after = await detail(h, desktopId);
    expect(after).toMatchObject({
      desktop_id: desktopId,
      sid: before.sid,
      computer_name: before.computer_name,
      product_id: before.product_id,
      status: "ACTIVE",
      task_status: "",
      root_volume: before.root_volume,
      data_volumes: before.data_volumes,
      tags: [{ key: "ticket_id", value: "T-1" }],
      metadata: { os_type: "Windows", "metering.image_id": SIM_IMAGES.win7.image_id },
    });
  });

  it("refuses an image that does not exist, does not fit the product, or a mismatching os_type", async () => {
    const h = await start({ macos: false });
    const { desktopId } = await provision(h, "quin");
    expect(await rebuild(h, [desktopId], SIM_IMAGES.kylin.image_id)).toMatchObject({
      status: 400,
      body: { error_code: "WKS.99000004" },
    });
    expect(await rebuild(h, [desktopId], SIM_IMAGES.macos.image_id)).toMatchObject({
      status: 400,
      body: { error_code: "WKS.0001" },
    });
    expect(await rebuild(h, [desktopId], SIM_IMAGES.win10.image_id, { os_type: "Linux" })).toMatchObject({
      status: 400,
    });
    expect(await rebuild(h, [desktopId], SIM_IMAGES.win10.image_id, { image_type: "shiny" })).toMatchObject({
      status: 400,
    });
    expect(await rebuild(h, [crypto.randomUUID()], SIM_IMAGES.win10.image_id)).toMatchObject({ status: 404 });
    expect((await detail(h, desktopId)).task_status).toBe("");
  });
});

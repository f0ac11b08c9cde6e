import { describe, expect, it } from "vitest";
import { SIM_PRODUCTS } from "../src/index.ts";
import { provision, start, waitJob } from "./helpers.ts";

const resize = (desktopId: string, productId: string) => ({
  desktops: [{ desktop_id: desktopId }],
  product_id: productId,
  mode: "STOP_DESKTOP",
});

describe("VDI products and resize", () => {
  it("lists products, resize targets per os_type, and images", async () => {
    const h = await start({ macos: false });
    const all = await h.vdi("GET", "/products");
    expect(all.body.total_count).toBe(12);
    expect(all.body.products[0]).toMatchObject({
      product_id: "workspace.x86.c2m4.windows",
      cpu: "2",
      memory: "4096",
    });
    expect((await h.vdi("GET", "/products?os_type=Linux")).body.total_count).toBe(6);
    const targets = await h.vdi("GET", "/products?product_id=workspace.x86.c2m4.linux");
    expect(targets.body.products.map((p: { product_id: string }) => p.product_id)).toEqual(
      SIM_PRODUCTS.filter((p) => p.os_type === "Linux" && p.product_id !== "workspace.x86.c2m4.linux").map(
        (p) => p.product_id,
      ),
    );
    const images = await h.vdi("GET", "/images");
    expect(images.body.images.map((i: { os_type: string }) => i.os_type)).toEqual([
      "Windows",
      "Windows",
      "Linux",
    ]);
  });

  it("shuts the desktop off during a resize and applies the new product", async () => {
    const h = await start({ jobPhaseMs: 100 });
    const { desktopId } = await provision(h, "rita");
    const accepted = await h.vdi(
      "POST",
      "/desktops/resize",
      resize(desktopId, "workspace.x86.c4m16.windows"),
    );
    expect(accepted.status).toBe(200);
    expect(accepted.body.jobs).toEqual([{ desktop_id: desktopId, job_id: accepted.body.job_id }]);
    const during = (await h.vdi("GET", `/desktops/${desktopId}`)).body.desktop;
    expect(during).toMatchObject({
      status: "SHUTOFF",
      task_status: expect.stringMatching(/^resize_(prep|migrating)$/),
    });

    const busy = await h.vdi("POST", `/desktops/${desktopId}/volumes`, {
      volumes: [{ type: "SAS", size: 10 }],
    });
    expect(busy).toMatchObject({ status: 409, body: { error_code: "WKS.00010032" } });

    const job = await waitJob(h, accepted.body.job_id);
    expect(job).toMatchObject({ job_type: "resizeDesktops", status: "SUCCESS" });
    const after = (await h.vdi("GET", `/desktops/${desktopId}`)).body.desktop;
    expect(after).toMatchObject({ status: "ACTIVE", product: { cpu: "4", memory: "16384" } });
  });

  it("rejects the same product, a foreign product and unknown desktops", async () => {
    const h = await start();
    const { desktopId } = await provision(h, "sam");
    const post = (body: unknown) => h.vdi("POST", "/desktops/resize", body);
    expect(await post(resize(desktopId, "workspace.x86.c2m4.windows"))).toMatchObject({
      status: 400,
      body: { error_code: "WKS.99000005" },
    });
    expect(await post(resize(desktopId, "workspace.x86.c4m8.linux"))).toMatchObject({
      body: { error_code: "WKS.99000004" },
    });
    expect(await post(resize(desktopId, "nope"))).toMatchObject({ body: { error_code: "WKS.99000004" } });
    expect(await post(resize(crypto.randomUUID(), "workspace.x86.c4m8.windows"))).toMatchObject({
      status: 404,
    });
    expect(await post({ ...resize(desktopId, "workspace.x86.c4m8.windows"), mode: "LIVE" })).toMatchObject({
      status: 400,
      body: { error_code: "WKS.0001" },
    });
  });
});

describe("VDI volumes", () => {
  it("adds data disks, refuses a second add while the first runs, and expands", async () => {
    const h = await start({ jobPhaseMs: 100 });
    const { desktopId } = await provision(h, "vera");
    const add = await h.vdi("POST", `/desktops/${desktopId}/volumes`, {
      volumes: [{ type: "SAS", size: 100 }],
    });
    expect(add.status).toBe(200);
    const second = await h.vdi("POST", `/desktops/${desktopId}/volumes`, {
      volumes: [{ type: "SAS", size: 10 }],
    });
    expect(second).toMatchObject({ status: 400, body: { error_code: "WKS.0407" } });
    expect((await waitJob(h, add.body.job_id)).job_type).toBe("addVolumes");

    const detail = (await h.vdi("GET", `/desktops/${desktopId}`)).body.desktop;
    expect(detail.data_volumes).toHaveLength(1);
    const volume = detail.data_volumes[0];
    expect(volume).toMatchObject({ type: "SAS", size: 100, device: "/dev/vdb" });
    expect(volume.volume_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(volume.id).toMatch(/^[0-9a-f]{32}$/);

    const expandPath = `/desktops/${desktopId}/volumes/${volume.volume_id}/expand`;
    expect(await h.vdi("POST", expandPath, { new_size: 100 })).toMatchObject({
      body: { error_code: "WKS.99000007" },
    });
    expect(await h.vdi("POST", expandPath, { new_size: 32769 })).toMatchObject({
      body: { error_code: "WKS.99000007" },
    });
    expect(
      await h.vdi("POST", `/desktops/${desktopId}/volumes/${crypto.randomUUID()}/expand`, { new_size: 200 }),
    ).toMatchObject({ status: 404, body: { error_code: "WKS.99000006" } });
    const expand = await h.vdi("POST", expandPath, { new_size: 150 });
    expect((await waitJob(h, expand.body.job_id)).job_type).toBe("expandVolumes");
    const grown = (await h.vdi("GET", `/desktops/${desktopId}`)).body.desktop.data_volumes[0];
    expect(grown).toMatchObject({ volume_id: volume.volume_id, size: 150 });
  });

  it("enforces disk sizes and the ten-disk limit", async () => {
    const h = await start();
    const { desktopId } = await provision(h, "walt");
    const add = (volumes: unknown[]) => h.vdi("POST", `/desktops/${desktopId}/volumes`, { volumes });
    expect(await add([{ type: "SAS", size: 5 }])).toMatchObject({ body: { error_code: "WKS.99000009" } });
    expect(await add([{ type: "SAS", size: 32770 }])).toMatchObject({ body: { error_code: "WKS.99000009" } });
    expect(await add([{ type: "FLOPPY", size: 10 }])).toMatchObject({ body: { error_code: "WKS.0001" } });
    const nine = Array.from({ length: 9 }, () => ({ type: "SSD", size: 10 }));
    await waitJob(h, (await add(nine)).body.job_id);
    expect(
      await add([
        { type: "SAS", size: 10 },
        { type: "SAS", size: 10 },
      ]),
    ).toMatchObject({
      body: { error_code: "WKS.99000008" },
    });
    await waitJob(h, (await add([{ type: "SAS", size: 10 }])).body.job_id);
    const devices = (await h.vdi("GET", `/desktops/${desktopId}`)).body.desktop.data_volumes.map(
      (v: { device: string }) => v.device,
    );
    expect(devices.at(-1)).toBe("/dev/vdk");
    expect(await add([{ type: "SAS", size: 10 }])).toMatchObject({ body: { error_code: "WKS.99000008" } });
  });
});

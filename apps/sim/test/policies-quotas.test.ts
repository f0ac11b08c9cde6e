import { describe, expect, it } from "vitest";
import { createUser, desktopBody, provision, start, waitJob } from "./helpers.ts";

const group = (name: string) => ({ policy_group: { policy_group_name: name, priority: 1, policies: {} } });

describe("VDI policy groups", () => {
  it("starts with an all-off group that targets ALL", async () => {
    const h = await start();
    const res = await h.vdi("GET", "/policy-groups");
    expect(res.body.total_count).toBe(1);
    expect(res.body.policy_groups[0]).toMatchObject({
      targets: [{ target_type: "ALL", target_id: "default-apply-all-targets" }],
      policies: {
        peripherals: { usb_port_redirection: { usb_enable: false } },
        file_and_clipboard: {
          file_redirection: { redirection_mode: "DISABLED" },
          clipboard_redirection: "DISABLED",
        },
      },
    });
  });

  it("creates groups and moves a desktop's INSTANCE target between them", async () => {
    const h = await start();
    const { desktopId } = await provision(h, "pia");
    const sid = (await h.vdi("GET", `/desktops/${desktopId}`)).body.desktop.sid;
    const a = await h.vdi("POST", "/policy-groups", group("deskgate_usb0_data0"));
    const b = await h.vdi("POST", "/policy-groups", group("deskgate_usb1_data0"));
    expect(a.status).toBe(201);
    expect(a.body.id).toMatch(/^[0-9a-f]{32}$/);
    expect(await h.vdi("POST", "/policy-groups", group("deskgate_usb0_data0"))).toMatchObject({
      status: 409,
      body: { error_code: "WKS.00081101" },
    });
    const target = { target_id: sid, target_name: "PIA01", target_type: "INSTANCE" };
    const put = await h.vdi("PUT", `/policy-groups/${a.body.id}/targets`, { add: [target] });
    expect(put.status).toBe(200);
    expect(put.body).toBeNull();
    await h.vdi("PUT", `/policy-groups/${b.body.id}/targets`, { add: [target] });
    await h.vdi("PUT", `/policy-groups/${a.body.id}/targets`, { delete: [target] });
    expect((await h.vdi("GET", `/policy-groups/${a.body.id}/targets`)).body).toEqual({
      targets: [],
      total_count: 0,
    });
    const inB = await h.vdi("GET", `/policy-groups/${b.body.id}/targets?target_type=INSTANCE`);
    expect(inB.body).toEqual({ targets: [target], total_count: 1 });

    const exact = await h.vdi(
      "GET",
      "/policy-groups?policy_group_name=deskgate_usb1_data0&is_group_name_accurate=true",
    );
    expect(exact.body.policy_groups.map((g: { policy_group_id: string }) => g.policy_group_id)).toEqual([
      b.body.id,
    ]);
    expect((await h.vdi("GET", "/policy-groups?policy_group_name=deskgate_")).body.total_count).toBe(2);

    const wrong = { ...target, target_id: desktopId };
    expect(await h.vdi("PUT", `/policy-groups/${b.body.id}/targets`, { add: [wrong] })).toMatchObject({
      status: 400,
    });
    expect(await h.vdi("PUT", `/policy-groups/${"0".repeat(32)}/targets`, { add: [target] })).toMatchObject({
      status: 404,
      body: { error_code: "WKS.00081104" },
    });

    await h.vdi("DELETE", `/desktops/${desktopId}`);
    await expect
      .poll(async () => (await h.vdi("GET", `/policy-groups/${b.body.id}/targets`)).body.total_count)
      .toBe(0);
  });

  it("enforces the policy group quota", async () => {
    const h = await start();
    for (let i = 1; i < 10; i++)
      expect((await h.vdi("POST", "/policy-groups", group(`g${i}`))).status).toBe(201);
    expect(await h.vdi("POST", "/policy-groups", group("g10"))).toMatchObject({
      status: 403,
      body: { error_code: "WKS.00081105" },
    });
  });
});

describe("VDI quotas", () => {
  it("reports usage and refuses desktops beyond quota_desktops", async () => {
    const h = await start();
    await provision(h, "quinn");
    const quotas = (await h.vdi("GET", "/quotas")).body.quotas.resources;
    expect(quotas).toContainEqual({ type: "general_instances", quota: 100, used: 1 });
    expect(quotas).toContainEqual({ type: "cores", quota: 400, used: 2 });
    expect(quotas).toContainEqual({ type: "Memory", quota: 800, used: 4, unit: "GB" });
    expect(quotas).toContainEqual({ type: "users", quota: 3000, used: 1 });

    await h.call("POST", "/_sim/faults", { quota_desktops: 1 });
    const refused = await h.vdi("POST", "/desktops", desktopBody("quinn"));
    expect(refused).toMatchObject({ status: 400, body: { error_code: "WKS.99000003" } });
    expect(refused.body.error_msg).toContain("general_instances");
    await h.call("POST", "/_sim/faults", {});
    expect((await h.vdi("POST", "/desktops", desktopBody("quinn"))).status).toBe(200);
  });

  it("checks cores and memory at accept", async () => {
    const h = await start();
    await createUser(h, "rob");
    const big = { product_id: "workspace.x86.c8m32.windows" };
    for (let i = 0; i < 25; i++) {
      const res = await h.vdi("POST", "/desktops", desktopBody("rob", big));
      expect(res.status).toBe(200);
      if (i === 24) await waitJob(h, res.body.job_id);
    }
    const refused = await h.vdi("POST", "/desktops", desktopBody("rob", big));
    expect(refused).toMatchObject({ status: 400, body: { error_code: "WKS.99000003" } });
    expect(refused.body.error_msg).toMatch(/cores|Memory/);
  });
});

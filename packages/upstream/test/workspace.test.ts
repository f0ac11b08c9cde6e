import { afterEach, describe, expect, it } from "vitest";
import { provision, STRONG_PASSWORD, uniqueName } from "../conformance/helpers.ts";
import { awaitJob, createWorkspacePlatform, type DesktopPolicy, UpstreamError } from "../src/index.ts";
import { simControl, workspaceOnSim } from "./sim-harness.ts";

const kit = { intervalMs: 10, timeoutMs: 10_000 };
const open: { teardown(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.teardown()));
});

async function start(...args: Parameters<typeof workspaceOnSim>) {
  const h = await workspaceOnSim(...args);
  open.push(h);
  const vdi = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${h.url}/v2/sim-project${path}`, {
      method,
      headers: { "x-auth-token": "sim-token", "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return { ...h, vdi, control: simControl(h.url) };
}

// biome-ignore lint/suspicious/noExplicitAny: simulator state is arbitrary JSON.
const deskgateGroups = (state: any) =>
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  (state.policy_groups as any[]).filter((g) => g.policy_group_name.startsWith("deskgate_"));

describe("Workspace adapter specifics", () => {
  it("without the capability, setPassword refuses without calling the platform", async () => {
    const h = await start({}, { setPasswordExtension: false });
    expect(h.platform.capabilities.canSetPassword).toBe(false);
    const user = await h.platform.createUser(uniqueName("cu"), STRONG_PASSWORD);
    const before = (await h.control.state()).stats.requests;
    const e = await h.platform.setPassword(user.id, "Other#Pass7word").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UpstreamError);
    expect(e).toMatchObject({ transient: false, reason: "invalid" });
    expect((e as Error).message).toMatch(/cannot set a chosen password/);
    expect((await h.control.state()).stats.requests).toBe(before);
    expect((await h.platform.generatePassword(user.id)).length).toBeGreaterThanOrEqual(8);
  });

  it("an ambiguous failure of a create (5xx) is not retried blindly; a refusal (429) is", async () => {
    const h = await start();
    const user = await h.platform.createUser(uniqueName("cu"), STRONG_PASSWORD);
    const spec = { userName: user.name, os: "win10" as const, name: uniqueName("cd") };
    const count = async () => (await h.control.state()).stats.by_route["POST /v2/{p}/desktops"] ?? 0;
    await h.control.faults({ fail_next: { route: "POST /desktops", status: 500, count: 1 } });
    const e = await h.platform.createDesktop(spec).catch((x: unknown) => x);
    expect(e).toMatchObject({ transient: true, reason: "unavailable" });
    expect(await count()).toBe(1);
    await h.control.faults({ fail_next: { route: "POST /desktops", status: 429, count: 1 } });
    expect(await h.platform.createDesktop(spec)).toEqual({ jobId: expect.any(String) });
    expect(await count()).toBe(3);
    // GETs are retried whatever the transient failure.
    await h.control.faults({ fail_next: { route: "GET /desktops", status: 503, count: 2 } });
    expect((await h.platform.findDesktopByName(spec.name))?.name).toBe(spec.name);
  });

  it("deleting a desktop keeps its user (delete_users=false)", async () => {
    const h = await start();
    const { user, desktop } = await provision(h.platform, kit);
    await h.platform.deleteDesktop(desktop.id);
    expect(await h.platform.findUser(user.name)).toEqual(user);
  });

  it("policy groups: created lazily with the §4 body, the desktop's SID as INSTANCE target", async () => {
    const h = await start();
    const { desktop } = await provision(h.platform, kit);
    expect(deskgateGroups(await h.control.state())).toEqual([]);
    expect(await h.platform.getPolicy(desktop)).toEqual({ usbEnable: false, dataAccess: false });
    await h.platform.setPolicy(desktop, { usbEnable: true, dataAccess: false });
    let groups = deskgateGroups(await h.control.state());
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({
      policy_group_name: "deskgate_usb1_data0",
      priority: 1,
      targets: [{ target_id: desktop.sid, target_name: desktop.name, target_type: "INSTANCE" }],
      policies: {
        peripherals: { usb_port_redirection: { usb_enable: true } },
        file_and_clipboard: {
          file_redirection: { redirection_mode: "DISABLED", vm_send_file_client: false },
          clipboard_redirection: "DISABLED",
        },
      },
    });
    await h.platform.setPolicy(desktop, { usbEnable: false, dataAccess: true });
    groups = deskgateGroups(await h.control.state());
    const data = groups.find((g) => g.policy_group_name === "deskgate_usb0_data1");
    expect(data.policies.file_and_clipboard).toEqual({
      file_redirection: { redirection_mode: "READ_AND_WRITE", vm_send_file_client: true },
      clipboard_redirection: "TWO_WAY_ENABLED",
    });
    expect(data.policies.peripherals.usb_port_redirection.usb_enable).toBe(false);
    expect(data.targets.map((t: { target_id: string }) => t.target_id)).toEqual([desktop.sid]);
    expect(groups.find((g) => g.policy_group_name === "deskgate_usb1_data0").targets).toEqual([]);
  });

  it("a group made elsewhere (another process) is found by exact name and reused", async () => {
    const h = await start();
    const { desktop } = await provision(h.platform, kit);
    const made = await h.vdi("POST", "/policy-groups", {
      policy_group: { policy_group_name: "deskgate_usb1_data1", priority: 1, policies: {} },
    });
    expect(made.status).toBe(201);
    await h.platform.setPolicy(desktop, { usbEnable: true, dataAccess: true });
    const groups = deskgateGroups(await h.control.state());
    expect(groups).toHaveLength(1);
    expect(groups[0].policy_group_id).toBe(made.body.id);
  });

  it("the create race: two processes creating one group both end up using it", async () => {
    const h = await start();
    const other = createWorkspacePlatform({
      ...h.connection,
      images: {},
      products: { windows: "x", linux: "y" },
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
    });
    try {
      const a = await provision(h.platform, kit);
      const b = await provision(h.platform, kit);
      // Both look-ups run before either create: one create wins, the other gets 409 WKS.00081101.
      await h.control.faults({ latency_ms: 40 });
      const on: DesktopPolicy = { usbEnable: true, dataAccess: true };
      await Promise.all([h.platform.setPolicy(a.desktop, on), other.setPolicy(b.desktop, on)]);
      await h.control.faults({});
      const state = await h.control.state();
      expect(state.stats.by_route["POST /v2/{p}/policy-groups"]).toBe(2);
      const groups = deskgateGroups(state);
      expect(groups).toHaveLength(1);
      expect(groups[0].targets.map((t: { target_id: string }) => t.target_id).sort()).toEqual(
        [a.desktop.sid, b.desktop.sid].sort(),
      );
    } finally {
      await other.close();
    }
  });

  it("an interrupted move (target in two groups) reads as the permissive one and is finished by a repeat", async () => {
    const h = await start();
    const { desktop } = await provision(h.platform, kit);
    await h.platform.setPolicy(desktop, { usbEnable: true, dataAccess: false });
    await h.platform.setPolicy(desktop, { usbEnable: false, dataAccess: true });
    // Simulate a crash between "add to new" and "delete from old": put it back in the old group.
    const old = deskgateGroups(await h.control.state()).find(
      (g) => g.policy_group_name === "deskgate_usb1_data0",
    );
    const target = { target_id: desktop.sid, target_name: desktop.name, target_type: "INSTANCE" };
    expect(
      (await h.vdi("PUT", `/policy-groups/${old.policy_group_id}/targets`, { add: [target] })).status,
    ).toBe(200);
    expect(await h.platform.getPolicy(desktop)).toEqual({ usbEnable: true, dataAccess: true });
    await h.platform.setPolicy(desktop, { usbEnable: false, dataAccess: true });
    expect(await h.platform.getPolicy(desktop)).toEqual({ usbEnable: false, dataAccess: true });
    const held = deskgateGroups(await h.control.state()).filter((g) =>
      g.targets.some((t: { target_id: string }) => t.target_id === desktop.sid),
    );
    expect(held.map((g) => g.policy_group_name)).toEqual(["deskgate_usb0_data1"]);
  });

  it("a group deleted behind the adapter's back is made again", async () => {
    const h = await start();
    const a = await provision(h.platform, kit);
    const b = await provision(h.platform, kit);
    const on: DesktopPolicy = { usbEnable: true, dataAccess: false };
    await h.platform.setPolicy(a.desktop, on);
    const [group] = deskgateGroups(await h.control.state());
    expect((await h.vdi("DELETE", `/policy-groups/${group.policy_group_id}`)).status).toBe(204);
    await h.platform.setPolicy(b.desktop, on);
    expect(await h.platform.getPolicy(b.desktop)).toEqual(on);
    expect(await h.platform.getPolicy(a.desktop)).toEqual({ usbEnable: false, dataAccess: false });
  });

  it("disk sizes travel in GB: 20 GiB in bytes is size 20 on the wire", async () => {
    const h = await start();
    const { desktop } = await provision(h.platform, kit);
    const job = await h.platform.addVolume(desktop.id, 20 * 1024 ** 3);
    expect(await awaitJob(h.platform, job.jobId, kit)).toMatchObject({ state: "succeeded" });
    const state = await h.control.state();
    // biome-ignore lint/suspicious/noExplicitAny: simulator state is arbitrary JSON.
    const record = (state.desktops as any[]).find((d) => d.desktop_id === desktop.id);
    expect(record.data_volumes.map((v: { size: number }) => v.size)).toEqual([20]);
    const read = await h.platform.getDesktop(desktop.id);
    expect(read?.volumes[0]).toMatchObject({
      id: record.data_volumes[0].volume_id,
      sizeBytes: 20 * 1024 ** 3,
    });
  });

  it("refuses an os with no configured image, listing the available ones", async () => {
    const h = await start({ images: { win10: "00000000-0000-4000-8000-000000000010" } });
    const e = await h.platform
      .createDesktop({ userName: "nobody", os: "macos", name: uniqueName("cd") })
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ transient: false, reason: "invalid" });
    expect((e as Error).message).toMatch(/macos.*available: win10/);
  });
});

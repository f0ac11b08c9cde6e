import { getDesktopRow } from "@deskgate/db";
import { policyGroupName } from "@deskgate/upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENERATED_NOTE } from "../src/jobs/pwd-reset.ts";
import { type Harness, startHarness } from "./support/harness.ts";

let h: Harness;
let faithful: Harness;
beforeAll(async () => {
  [h, faithful] = await Promise.all([
    startHarness({ defaultPassword: "Default#Pass2024" }),
    startHarness({ canSetPassword: false, sim: { setPasswordExtension: false } }),
  ]);
});
afterAll(async () => {
  await Promise.all([h?.stop(), faithful?.stop()]);
});

const sealedPasswordOf = async (x: Harness, taskId: string) => {
  const task = await x.waitTask(taskId);
  const sealed = (task.progress as { sealedPassword?: string }).sealedPassword;
  return sealed ? x.box.open(sealed) : undefined;
};

describe("desktop.policy_update", () => {
  it("sets USB, keeps data access, stores both, and notes when it applies", async () => {
    const d = await h.makeDesktop();
    const task = await h.run("desktop.policy_update", { desktop_uuid: d.desktop_uuid, "usb-enable": true });
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(task.result).toMatchObject({
      desktop_uuid: d.desktop_uuid,
      "usb-enable": true,
      "data-access": false,
      note: expect.stringMatching(/next connection/),
    });
    expect(await getDesktopRow(h.database.db, d.desktop_uuid)).toMatchObject({
      usbEnable: true,
      dataAccess: false,
    });
    const state = await h.simState();
    const desktop = state.desktops.find((x) => x.desktop_id === d.desktop_uuid) as unknown as { sid: string };
    const group = state.policy_groups.find(
      (g) => g.policy_group_name === policyGroupName({ usbEnable: true, dataAccess: false }),
    );
    expect(group?.targets.map((t) => t.target_id)).toContain(desktop.sid);

    const second = await h.run("desktop.policy_update", {
      desktop_uuid: d.desktop_uuid,
      "data-access": true,
    });
    expect(second.result).toMatchObject({ "usb-enable": true, "data-access": true });
    expect(await getDesktopRow(h.database.db, d.desktop_uuid)).toMatchObject({
      usbEnable: true,
      dataAccess: true,
    });
  });

  it("an unknown desktop fails with a clear reason", async () => {
    const task = await h.run("desktop.policy_update", {
      desktop_uuid: "00000000-0000-4000-8000-000000000404",
      "usb-enable": true,
    });
    expect(task.state).toBe("failed");
    expect(task.error).toMatch(/does not exist/);
  });
});

describe("user.pwd_reset", () => {
  it("sets the chosen password; it is handed over sealed in progress, never in result", async () => {
    const d = await h.makeDesktop();
    const id = await h.submit("user.pwd_reset", { username: d.username, password: "Chosen#Pass2024" });
    expect(await sealedPasswordOf(h, id)).toBe("Chosen#Pass2024");
    const task = await h.waitTask(id);
    expect(task.state).toBe("succeeded");
    expect(JSON.stringify(task.result)).not.toContain("Chosen#Pass2024");
    expect(task.result).toMatchObject({ username: d.username });
    const user = (await h.simState()).users.find((u) => u.user_name === d.username);
    expect(user?.password).toBe("Chosen#Pass2024");
    expect((await h.steps(id)).map((s) => s.name)).toEqual(["find_user", "set_password"]);
  });

  it('password "" sets the configured default', async () => {
    const d = await h.makeDesktop();
    const id = await h.submit("user.pwd_reset", { username: d.username, password: "" });
    expect(await sealedPasswordOf(h, id)).toBe("Default#Pass2024");
    expect((await h.simState()).users.find((u) => u.user_name === d.username)?.password).toBe(
      "Default#Pass2024",
    );
  });

  it("the platform's password rules reach the caller as the failure message", async () => {
    const d = await h.makeDesktop();
    const task = await h.run("user.pwd_reset", { username: d.username, password: "short" });
    expect(task.state).toBe("failed");
    expect(task.error).toMatch(/refused the password/);
    expect((task.progress as { sealedPassword?: string }).sealedPassword).toBeUndefined();
  });

  it("an unknown user fails", async () => {
    const task = await h.run("user.pwd_reset", { username: "nobody_99", password: "Chosen#Pass2024" });
    expect(task.state).toBe("failed");
    expect(task.error).toMatch(/does not exist/);
  });

  it('password "" with no default configured is a clear failure', async () => {
    const noDefault = await startHarness();
    try {
      const t = await noDefault.run("user.pwd_reset", { username: "whoever", password: "" });
      expect(t.state).toBe("failed");
      expect(t.error).toMatch(/no default password is configured/);
    } finally {
      await noDefault.stop();
    }
  });

  it('without canSetPassword: "" returns the platform\'s generated password with a note', async () => {
    const d = await faithful.makeDesktop();
    const id = await faithful.submit("user.pwd_reset", { username: d.username, password: "" });
    const password = await sealedPasswordOf(faithful, id);
    const task = await faithful.waitTask(id);
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect(task.result).toMatchObject({ username: d.username, note: GENERATED_NOTE });
    expect(password).toBeTruthy();
    expect((await faithful.simState()).users.find((u) => u.user_name === d.username)?.password).toBe(
      password,
    );
  });

  it("without canSetPassword: an explicit password fails with the reason", async () => {
    const task = await faithful.run("user.pwd_reset", { username: "anyone", password: "Chosen#Pass2024" });
    expect(task.state).toBe("failed");
    expect(task.error).toMatch(/cannot set a chosen password/);
  });
});

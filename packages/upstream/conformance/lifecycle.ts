import { describe, expect, it } from "vitest";
import { useHarness } from "./harness.ts";
import {
  busyOrDone,
  gone,
  type Kit,
  provision,
  STRONG_PASSWORD,
  settleAction,
  succeed,
  uniqueName,
  until,
  upstreamError,
} from "./helpers.ts";
import type { ConformanceSetup } from "./types.ts";

const UNKNOWN_DESKTOP = "00000000-0000-4000-8000-00000000d0d0";

export function lifecycleSuite(setup: ConformanceSetup, kit: Kit): void {
  describe("deleting desktops (one job)", () => {
    const h = useHarness(setup);

    it("deletes a desktop and its data disks through a job; the user stays; a repeat is done at once", async () => {
      const { platform } = h();
      const { user, desktop } = await provision(platform, kit);
      await succeed(platform, kit, await platform.addVolume(desktop.id, platform.limits.diskMinBytes));
      const action = await platform.deleteDesktops([desktop.id]);
      expect(action.jobId).toEqual(expect.any(String));
      await settleAction(
        platform,
        kit,
        action,
        "desktop deleted",
        async () => !(await platform.getDesktop(desktop.id)),
      );
      expect(await platform.findDesktopByName(desktop.name)).toBeNull();
      expect(await platform.listDesktops(user.name)).toEqual([]);
      expect(await platform.findUser(user.name)).toEqual(user);
      expect(await platform.deleteDesktops([desktop.id])).toEqual({ jobId: null });
      expect(await platform.deleteDesktops([])).toEqual({ jobId: null });
    });

    it("deleteUsers removes the user with their last desktop, not before", async () => {
      const { platform } = h();
      const { user, desktop } = await provision(platform, kit);
      const second = uniqueName("cd");
      await succeed(
        platform,
        kit,
        await platform.createDesktop({ userName: user.name, os: "win10", name: second }),
      );
      const first = await platform.deleteDesktops([desktop.id], { deleteUsers: true });
      await settleAction(
        platform,
        kit,
        first,
        "first desktop deleted",
        async () => !(await platform.getDesktop(desktop.id)),
      );
      expect(await platform.findUser(user.name)).toEqual(user);
      const rest = (await platform.listDesktops(user.name)).map((d) => d.id);
      expect(rest).toHaveLength(1);
      const last = await platform.deleteDesktops(rest, { deleteUsers: true });
      await settleAction(
        platform,
        kit,
        last,
        "user deleted with the last desktop",
        async () => !(await platform.findUser(user.name)),
      );
      await platform.deleteUser(user.id);
    });

    it("deletes several desktops in one call, skipping those already gone", async () => {
      const { platform } = h();
      const { user, desktop } = await provision(platform, kit);
      const { desktop: other } = await provision(platform, kit, "kylin");
      const second = uniqueName("cd");
      await succeed(
        platform,
        kit,
        await platform.createDesktop({ userName: user.name, os: "kylin", name: second }),
      );
      const secondId = (await platform.findDesktopByName(second))!.id;
      await settleAction(
        platform,
        kit,
        await platform.deleteDesktops([other.id]),
        "other deleted",
        async () => !(await platform.getDesktop(other.id)),
      );
      const action = await platform.deleteDesktops(
        [desktop.id, secondId, other.id, UNKNOWN_DESKTOP, desktop.id],
        {
          deleteUsers: true,
        },
      );
      expect(action.jobId).toEqual(expect.any(String));
      await settleAction(platform, kit, action, "both deleted", async () => {
        const left = await Promise.all([desktop.id, secondId].map((id) => platform.getDesktop(id)));
        return left.every((d) => d === null);
      });
      await until(kit, "user deleted", async () => !(await platform.findUser(user.name)));
    });

    it("a desktop being deleted needs no second delete; one still being created is deleted or refused as busy", async () => {
      const { platform } = h();
      const { desktop } = await provision(platform, kit);
      const action = await platform.deleteDesktops([desktop.id]);
      // Deleting or gone by now: either way nothing is left to do.
      expect(await platform.deleteDesktops([desktop.id])).toEqual({ jobId: null });
      await settleAction(
        platform,
        kit,
        action,
        "desktop deleted",
        async () => !(await platform.getDesktop(desktop.id)),
      );

      const user = await platform.createUser(uniqueName("cu"), STRONG_PASSWORD);
      const name = uniqueName("cd");
      const create = await platform.createDesktop({ userName: user.name, os: "win10", name });
      const building = await platform.findDesktopByName(name);
      if (building) await busyOrDone(() => platform.deleteDesktops([building.id]));
      // Whatever happened, the desktop can be deleted once its creation ended.
      await until(
        kit,
        "create job ended",
        async () => (await platform.getJob(create.jobId)).state !== "running",
      );
      const found = await platform.findDesktopByName(name);
      if (found) {
        const cleanup = await platform.deleteDesktops([found.id]);
        if (cleanup.jobId) await succeed(platform, kit, { jobId: cleanup.jobId });
        await gone(platform, kit, found.id);
      }
    });

    it("refuses more than 100 desktops in one call, permanently, before deleting any", async () => {
      const { platform } = h();
      const { desktop } = await provision(platform, kit);
      const many = [
        desktop.id,
        ...Array.from({ length: 100 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`),
      ];
      const e = await upstreamError(platform.deleteDesktops(many));
      expect(e.transient).toBe(false);
      expect((await platform.getDesktop(desktop.id))?.state).toBe("active");
    });
  });

  describe("locking users and offboarding", () => {
    const h = useHarness(setup);

    it("locks and unlocks a user, each repeatably; findUser reads the lock", async () => {
      const { platform } = h();
      const user = await platform.createUser(uniqueName("cu"), STRONG_PASSWORD);
      expect(user.locked).toBe(false);
      await platform.lockUser(user.id);
      await platform.lockUser(user.id);
      expect(await platform.findUser(user.name)).toEqual({ ...user, locked: true });
      await platform.unlockUser(user.id);
      await platform.unlockUser(user.id);
      expect(await platform.findUser(user.name)).toEqual({ ...user, locked: false });
    });

    it('lock and unlock of an unknown user fail permanently with reason "not_found"', async () => {
      const { platform } = h();
      const user = await platform.createUser(uniqueName("cu"), STRONG_PASSWORD);
      await platform.deleteUser(user.id);
      for (const e of [
        await upstreamError(platform.lockUser(user.id)),
        await upstreamError(platform.unlockUser(user.id)),
      ]) {
        expect(e).toMatchObject({ transient: false, reason: "not_found" });
      }
    });

    it("offboards: lock the user, delete every desktop with the user; what is gone stays done", async () => {
      const { platform } = h();
      const { user, desktop } = await provision(platform, kit);
      await succeed(platform, kit, await platform.addVolume(desktop.id, platform.limits.diskMinBytes));
      await succeed(
        platform,
        kit,
        await platform.createDesktop({ userName: user.name, os: "kylin", name: uniqueName("cd") }),
      );
      await platform.lockUser(user.id);
      expect((await platform.findUser(user.name))?.locked).toBe(true);
      const ids = (await platform.listDesktops(user.name)).map((d) => d.id);
      expect(ids).toHaveLength(2);
      const action = await platform.deleteDesktops(ids, { deleteUsers: true });
      await settleAction(
        platform,
        kit,
        action,
        "user and desktops deleted",
        async () => !(await platform.findUser(user.name)),
      );
      expect(await platform.listDesktops(user.name)).toEqual([]);
      for (const id of ids) expect(await platform.getDesktop(id)).toBeNull();
      await platform.deleteUser(user.id);
      expect(await platform.deleteDesktops(ids, { deleteUsers: true })).toEqual({ jobId: null });
    });
  });
}

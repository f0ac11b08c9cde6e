import { describe, expect, it } from "vitest";
import { awaitJob } from "../src/poll.ts";
import { useHarness } from "./harness.ts";
import {
  gone,
  type Kit,
  provision,
  STRONG_PASSWORD,
  settle,
  succeed,
  uniqueName,
  upstreamError,
} from "./helpers.ts";
import type { ConformanceSetup } from "./types.ts";

export function desktopsSuite(setup: ConformanceSetup, kit: Kit): void {
  describe("desktops", () => {
    const h = useHarness(setup);

    it("creates a desktop through a job, reads it, finds it by name and by user, deletes it", async () => {
      const { platform } = h();
      const user = await platform.createUser(uniqueName("cu"), STRONG_PASSWORD);
      const name = uniqueName("cd");
      const job = await platform.createDesktop({ userName: user.name, os: "win10", name });
      expect(job.jobId).toEqual(expect.any(String));
      const done = await succeed(platform, kit, job);
      const found = await platform.findDesktopByName(name);
      expect(found).not.toBeNull();
      if (done.desktopId) expect(done.desktopId).toBe(found!.id);
      const desktop = await settle(platform, kit, found!.id);
      expect(desktop).toMatchObject({ id: found!.id, name, userName: user.name, state: "active" });
      expect(desktop.sid).toEqual(expect.any(String));
      expect(desktop.cpu).toBeGreaterThan(0);
      expect(desktop.memoryBytes).toBeGreaterThan(0);
      expect(desktop.memoryBytes! % 1024 ** 2).toBe(0);
      expect(desktop.volumes).toEqual([]);
      expect((await platform.listDesktops(user.name)).map((d) => d.id)).toEqual([desktop.id]);

      await platform.deleteDesktop(desktop.id);
      await gone(platform, kit, desktop.id);
      expect(await platform.findDesktopByName(name)).toBeNull();
      expect(await platform.listDesktops(user.name)).toEqual([]);
      await platform.deleteDesktop(desktop.id);
      await platform.deleteUser(user.id);
    });

    it("lists a user's desktops by exact user name", async () => {
      const { platform } = h();
      const { user, desktop } = await provision(platform, kit);
      const other = await platform.createUser(`${user.name}x`, STRONG_PASSWORD);
      await succeed(
        platform,
        kit,
        await platform.createDesktop({ userName: other.name, os: "kylin", name: uniqueName("cd") }),
      );
      const second = uniqueName("cd");
      await succeed(
        platform,
        kit,
        await platform.createDesktop({ userName: user.name, os: "kylin", name: second }),
      );
      const mine = await platform.listDesktops(user.name);
      expect(mine.map((d) => d.name).sort()).toEqual([desktop.name, second].sort());
      expect(mine.every((d) => d.userName === user.name)).toBe(true);
      expect(await platform.listDesktops(uniqueName("cu"))).toEqual([]);
    });

    it("an unknown desktop reads as null and deletes as success", async () => {
      const { platform } = h();
      const { desktop } = await provision(platform, kit);
      await platform.deleteDesktop(desktop.id);
      await gone(platform, kit, desktop.id);
      expect(await platform.getDesktop(desktop.id)).toBeNull();
      await platform.deleteDesktop(desktop.id);
      expect(await platform.findDesktopByName(uniqueName("cd"))).toBeNull();
    });

    it("resumes after a crash: look-before-create finds the first desktop; re-creating is refused", async () => {
      const { platform } = h();
      const name = uniqueName("cu");
      const user = await platform.createUser(name, STRONG_PASSWORD);
      const computer = uniqueName("cd");
      // The worker crashed after asking for the desktop and before recording the job id.
      await platform.createDesktop({ userName: name, os: "win10", name: computer });
      // On restart it looks before it creates:
      expect(await platform.findUser(name)).toEqual(user);
      const again = await upstreamError(platform.createUser(name, STRONG_PASSWORD));
      expect(again.reason).toBe("exists");
      const first = await platform.findDesktopByName(computer);
      expect(first).toMatchObject({ name: computer, userName: name });
      const dup = await upstreamError(
        platform.createDesktop({ userName: name, os: "win10", name: computer }),
      );
      expect(dup.reason).toBe("exists");
      expect(dup.transient).toBe(false);
      const settled = await settle(platform, kit, first!.id);
      expect(settled.state).toBe("active");
      expect((await platform.listDesktops(name)).map((d) => d.id)).toEqual([first!.id]);
    });

    it("refuses a desktop for a user that does not exist, permanently", async () => {
      const { platform } = h();
      const e = await upstreamError(
        platform.createDesktop({ userName: uniqueName("cu"), os: "win10", name: uniqueName("cd") }),
      );
      expect(e.transient).toBe(false);
    });

    it("reports an unknown job as a permanent not_found failure", async () => {
      const { platform } = h();
      const e = await upstreamError(awaitJob(platform, "00000000-0000-4000-8000-00000000dead", kit));
      expect(e.reason).toBe("not_found");
      expect(e.transient).toBe(false);
    });
  });
}

import { describe, expect, it } from "vitest";
import type { DesktopOs, PlatformDesktop } from "../src/port.ts";
import { useHarness } from "./harness.ts";
import { busyOrDone, type Kit, provision, settle, succeed, upstreamError } from "./helpers.ts";
import type { ConformanceSetup } from "./types.ts";

/** What a rebuild must keep: identity, owner, flavour and data disks. */
const kept = (d: PlatformDesktop) => ({
  id: d.id,
  name: d.name,
  userName: d.userName,
  productId: d.productId,
  cpu: d.cpu,
  memoryBytes: d.memoryBytes,
  volumes: d.volumes,
});

export function rebuildSuite(setup: ConformanceSetup, kit: Kit): void {
  describe("rebuilding the system disk", () => {
    const h = useHarness(setup);

    it("reimages to its own image: same id, name, user, flavour and data disks", async () => {
      const { platform } = h();
      const { desktop } = await provision(platform, kit);
      await succeed(platform, kit, await platform.addVolume(desktop.id, platform.limits.diskMinBytes));
      const before = await settle(platform, kit, desktop.id);
      const job = await platform.rebuildDesktop(desktop.id);
      expect(job).toEqual({ jobId: expect.any(String) });
      await succeed(platform, kit, job);
      const after = await settle(platform, kit, desktop.id);
      expect(kept(after)).toEqual(kept(before));
      expect(after).toMatchObject({ state: "active", os: before.os });
    });

    it("reimages to another os, keeping the data disks; repeating it is safe", async () => {
      const { platform } = h();
      if (!kit.rebuildOs) return;
      const { from, to } = kit.rebuildOs;
      const { desktop } = await provision(platform, kit, from);
      expect(desktop.os).toBe(from);
      await succeed(platform, kit, await platform.addVolume(desktop.id, platform.limits.diskMinBytes));
      const before = await settle(platform, kit, desktop.id);
      for (let round = 0; round < 2; round++) {
        await succeed(platform, kit, await platform.rebuildDesktop(desktop.id, { os: to }));
        const after = await settle(platform, kit, desktop.id);
        expect(kept(after)).toEqual(kept(before));
        expect(after.os).toBe(to);
      }
    });

    it("a rebuild already running: a second one is refused as transient busy, or waits it out", async () => {
      const { platform } = h();
      const { desktop } = await provision(platform, kit);
      const first = await platform.rebuildDesktop(desktop.id);
      const second = await busyOrDone(() => platform.rebuildDesktop(desktop.id));
      await succeed(platform, kit, first);
      if (second.ok) await succeed(platform, kit, second.value);
      expect((await settle(platform, kit, desktop.id)).id).toBe(desktop.id);
    });

    it("finds a rebuild job again by desktop and start time (a request whose answer was lost)", async () => {
      const { platform } = h();
      const { desktop } = await provision(platform, kit);
      const other = await provision(platform, kit);
      const since = new Date(Date.now() - 120_000);
      const job = await platform.rebuildDesktop(desktop.id);
      expect(await platform.findRebuildJob(desktop.id, since)).toBe(job.jobId);
      expect(await platform.findRebuildJob(other.desktop.id, since)).toBeNull();
      expect(await platform.findRebuildJob(desktop.id, new Date(Date.now() + 600_000))).toBeNull();
      await succeed(platform, kit, job);
    });

    it("lists a running job as pending in one batched check, and no longer once it ended", async () => {
      const { platform } = h();
      const { desktop } = await provision(platform, kit);
      const job = await platform.rebuildDesktop(desktop.id);
      const other = "00000000-0000-4000-8000-000000000000";
      expect([...(await platform.pendingJobs([job.jobId, other]))]).toEqual([job.jobId]);
      await succeed(platform, kit, job);
      expect(await platform.pendingJobs([job.jobId])).toEqual(new Set());
      expect(await platform.pendingJobs([])).toEqual(new Set());
    });

    it("refuses an os without an image, and an unknown desktop, permanently", async () => {
      const { platform } = h();
      const { desktop } = await provision(platform, kit);
      const noImage = await upstreamError(platform.rebuildDesktop(desktop.id, { os: "beos" as DesktopOs }));
      expect(noImage).toMatchObject({ transient: false, reason: "invalid" });
      const gone = await platform.deleteDesktops([desktop.id]);
      if (gone.jobId) await succeed(platform, kit, { jobId: gone.jobId });
      for (const os of [undefined, "win10" as const]) {
        const e = await upstreamError(platform.rebuildDesktop(desktop.id, os ? { os } : {}));
        expect(e).toMatchObject({ transient: false, reason: "not_found" });
      }
    });
  });
}

import { describe, expect, it } from "vitest";
import { useHarness } from "./harness.ts";
import { type Kit, provision, settle, succeed, upstreamError } from "./helpers.ts";
import type { ConformanceSetup } from "./types.ts";

export function resourcesSuite(setup: ConformanceSetup, kit: Kit): void {
  describe("flavours and resize", () => {
    const h = useHarness(setup);

    it("lists resize targets (not the current flavour) and resizes to one", async () => {
      const { platform } = h();
      const { desktop } = await provision(platform, kit);
      const targets = await platform.resizeTargets(desktop.id);
      expect(targets.length).toBeGreaterThan(0);
      for (const t of targets) {
        expect(t).toEqual({
          id: expect.any(String),
          cpu: expect.any(Number),
          memoryBytes: expect.any(Number),
        });
        expect(t.id).not.toBe(desktop.productId);
      }
      const target = targets.find((t) => t.cpu !== desktop.cpu) ?? targets[0]!;
      await succeed(platform, kit, await platform.resizeDesktop(desktop.id, target.id));
      const after = await settle(platform, kit, desktop.id);
      expect(after).toMatchObject({ cpu: target.cpu, memoryBytes: target.memoryBytes, productId: target.id });
      expect((await platform.resizeTargets(desktop.id)).map((t) => t.id)).not.toContain(target.id);
    });

    it("refuses a flavour that is not a resize target, permanently", async () => {
      const { platform } = h();
      const { desktop } = await provision(platform, kit);
      const e = await upstreamError(platform.resizeDesktop(desktop.id, "no-such-flavour"));
      expect(e.transient).toBe(false);
    });
  });

  describe("data disks", () => {
    const h = useHarness(setup);

    it("states its limits in bytes, consistently", () => {
      const { limits } = h().platform;
      expect(limits.diskStepBytes).toBeGreaterThan(0);
      expect(limits.diskMinBytes).toBeGreaterThan(0);
      expect(limits.diskMinBytes % limits.diskStepBytes).toBe(0);
      expect(limits.diskMaxBytes).toBeGreaterThan(limits.diskMinBytes);
      expect(limits.maxDataDisks).toBeGreaterThanOrEqual(1);
    });

    it("adds a disk of the minimum size, then expands it by one step", async () => {
      const { platform } = h();
      const { limits } = platform;
      const { desktop } = await provision(platform, kit);
      await succeed(platform, kit, await platform.addVolume(desktop.id, limits.diskMinBytes));
      const withDisk = await settle(platform, kit, desktop.id);
      expect(withDisk.volumes).toHaveLength(1);
      const volume = withDisk.volumes[0]!;
      expect(volume).toEqual({
        id: expect.any(String),
        name: expect.any(String),
        sizeBytes: limits.diskMinBytes,
      });
      const bigger = limits.diskMinBytes + limits.diskStepBytes;
      await succeed(platform, kit, await platform.expandVolume(desktop.id, volume.id, bigger));
      const expanded = await settle(platform, kit, desktop.id);
      expect(expanded.volumes).toEqual([{ ...volume, sizeBytes: bigger }]);
      // Disks only grow.
      const shrink = await upstreamError(platform.expandVolume(desktop.id, volume.id, limits.diskMinBytes));
      expect(shrink.transient).toBe(false);
    });

    it("refuses sizes outside the limits and unknown volumes, permanently", async () => {
      const { platform } = h();
      const { limits } = platform;
      const { desktop } = await provision(platform, kit);
      for (const size of [
        limits.diskMinBytes - limits.diskStepBytes,
        limits.diskMaxBytes + limits.diskStepBytes,
      ]) {
        const e = await upstreamError(platform.addVolume(desktop.id, size));
        expect(e.transient).toBe(false);
        expect(e.reason).toBe("invalid");
      }
      if (limits.diskStepBytes > 1) {
        const e = await upstreamError(platform.addVolume(desktop.id, limits.diskMinBytes + 1));
        expect(e.reason).toBe("invalid");
      }
      const e = await upstreamError(
        platform.expandVolume(desktop.id, "00000000-0000-4000-8000-00000000beef", limits.diskMinBytes * 2),
      );
      expect(e.reason).toBe("not_found");
      expect(e.transient).toBe(false);
    });
  });
}

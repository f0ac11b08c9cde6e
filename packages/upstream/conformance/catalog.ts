import { describe, expect, it } from "vitest";
import { useHarness } from "./harness.ts";
import { type Kit, provision } from "./helpers.ts";
import type { ConformanceSetup } from "./types.ts";

/** The read-only catalog the api checks requests against: flavours, resize targets, quotas. */
export function catalogSuite(setup: ConformanceSetup, kit: Kit): void {
  describe("catalog: flavours and quotas", () => {
    const h = useHarness(setup);

    it("lists its flavours; a desktop's flavour is among them, and its targets match resizeTargets", async () => {
      const { platform } = h();
      const { desktop } = await provision(platform, kit);
      const flavors = await platform.flavors();
      for (const f of flavors) {
        expect(f).toEqual({
          id: expect.any(String),
          cpu: expect.any(Number),
          memoryBytes: expect.any(Number),
        });
      }
      expect(flavors.find((f) => f.id === desktop.productId)).toEqual({
        id: desktop.productId,
        cpu: desktop.cpu,
        memoryBytes: desktop.memoryBytes,
      });
      expect(await platform.flavorTargets(desktop.productId!)).toEqual(
        await platform.resizeTargets(desktop.id),
      );
    });

    it("reports quotas whose use counts its desktops, and what a new desktop takes", async () => {
      const { platform } = h();
      const before = await platform.quotas();
      expect(before.desktops).toEqual({ limit: expect.any(Number), used: expect.any(Number) });
      const { desktop } = await provision(platform, kit);
      const after = await platform.quotas();
      expect(after.desktops!.used).toBeGreaterThanOrEqual(before.desktops!.used + 1);
      const footprint = await platform.desktopFootprint("win10");
      expect(footprint).toMatchObject({ desktops: 1, vcpus: desktop.cpu, memoryBytes: desktop.memoryBytes });
      if (after.vcpus) expect(after.vcpus.used).toBeGreaterThanOrEqual(desktop.cpu!);
    });
  });
}

import { describe, expect, it } from "vitest";
import type { DesktopPolicy } from "../src/port.ts";
import { useHarness } from "./harness.ts";
import { type Kit, provision } from "./helpers.ts";
import type { ConformanceSetup } from "./types.ts";

const OFF: DesktopPolicy = { usbEnable: false, dataAccess: false };

export function policiesSuite(setup: ConformanceSetup, kit: Kit): void {
  describe("policies", () => {
    const h = useHarness(setup);

    it("a new desktop has USB and data access off", async () => {
      const { platform } = h();
      const { desktop } = await provision(platform, kit);
      expect(await platform.getPolicy(desktop)).toEqual(OFF);
    });

    it("sets and reads back every combination, repeatably, one desktop at a time", async () => {
      const { platform } = h();
      const { desktop } = await provision(platform, kit);
      const { desktop: neighbour } = await provision(platform, kit, "kylin");
      const combos: DesktopPolicy[] = [
        { usbEnable: true, dataAccess: false },
        { usbEnable: true, dataAccess: true },
        { usbEnable: false, dataAccess: true },
        OFF,
      ];
      for (const policy of combos) {
        await platform.setPolicy(desktop, policy);
        expect(await platform.getPolicy(desktop)).toEqual(policy);
        await platform.setPolicy(desktop, policy);
        expect(await platform.getPolicy(desktop)).toEqual(policy);
        expect(await platform.getPolicy(neighbour)).toEqual(OFF);
      }
    });

    it("many desktops can share a policy concurrently", async () => {
      const { platform } = h();
      const desktops = await Promise.all([1, 2, 3].map(() => provision(platform, kit)));
      const on: DesktopPolicy = { usbEnable: true, dataAccess: true };
      await Promise.all(desktops.map(({ desktop }) => platform.setPolicy(desktop, on)));
      for (const { desktop } of desktops) expect(await platform.getPolicy(desktop)).toEqual(on);
    });
  });
}

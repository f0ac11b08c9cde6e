import { describe, expect, it } from "vitest";
import { useHarness } from "./harness.ts";
import {
  busyOrDone,
  type Kit,
  powerIs,
  provision,
  settleAction,
  succeed,
  until,
  upstreamError,
} from "./helpers.ts";
import type { ConformanceSetup } from "./types.ts";

export function powerSuite(setup: ConformanceSetup, kit: Kit): void {
  describe("power", () => {
    const h = useHarness(setup);

    it("a new desktop is on, runs its os, carries no tags", async () => {
      const { platform } = h();
      const { desktop } = await provision(platform, kit, "kylin");
      expect(desktop).toMatchObject({ power: "on", os: "kylin", tags: {} });
    });

    it("stops, starts and reboots, SOFT and HARD, reading the power state back; repeats are done at once", async () => {
      const { platform } = h();
      const { desktop } = await provision(platform, kit);
      const { id } = desktop;
      await settleAction(
        platform,
        kit,
        await platform.powerDesktop(id, "stop"),
        "stopped",
        powerIs(platform, id, "off"),
      );
      expect(await platform.powerDesktop(id, "stop", "HARD")).toEqual({ jobId: null });
      await settleAction(
        platform,
        kit,
        await platform.powerDesktop(id, "start", "HARD"),
        "started",
        powerIs(platform, id, "on"),
      );
      expect(await platform.powerDesktop(id, "start")).toEqual({ jobId: null });
      for (const mode of ["SOFT", "HARD"] as const) {
        await settleAction(
          platform,
          kit,
          await platform.powerDesktop(id, "reboot", mode),
          `rebooted ${mode}`,
          async () => {
            const d = await platform.getDesktop(id);
            return d?.power === "on" && d.state === "active";
          },
        );
      }
      await settleAction(
        platform,
        kit,
        await platform.powerDesktop(id, "stop", "HARD"),
        "stopped hard",
        powerIs(platform, id, "off"),
      );
      const after = await platform.getDesktop(id);
      expect(after).toMatchObject({
        id,
        name: desktop.name,
        volumes: desktop.volumes,
        productId: desktop.productId,
      });
    });

    it("reboot of a stopped desktop starts it", async () => {
      const { platform } = h();
      const { desktop } = await provision(platform, kit);
      await settleAction(
        platform,
        kit,
        await platform.powerDesktop(desktop.id, "stop"),
        "stopped",
        powerIs(platform, desktop.id, "off"),
      );
      const action = await platform.powerDesktop(desktop.id, "reboot");
      await settleAction(platform, kit, action, "started by reboot", powerIs(platform, desktop.id, "on"));
    });

    it("a desktop busy with another job is refused as transient busy, or the adapter waits it out", async () => {
      const { platform } = h();
      const { desktop } = await provision(platform, kit);
      const disk = await platform.addVolume(desktop.id, platform.limits.diskMinBytes);
      const outcome = await busyOrDone(() => platform.powerDesktop(desktop.id, "stop"));
      await succeed(platform, kit, disk);
      if (outcome.ok && outcome.value.jobId) await succeed(platform, kit, { jobId: outcome.value.jobId });
      // Repeating after a refusal (or after success) reaches the state.
      await until(kit, "stopped after the disk job", async () => {
        const again = await busyOrDone(() => platform.powerDesktop(desktop.id, "stop"));
        if (again.ok && again.value.jobId) await succeed(platform, kit, { jobId: again.value.jobId });
        return (await platform.getDesktop(desktop.id))?.power === "off";
      });
    });

    it('an unknown desktop fails permanently with reason "not_found"', async () => {
      const { platform } = h();
      const { desktop } = await provision(platform, kit);
      await settleAction(
        platform,
        kit,
        await platform.deleteDesktops([desktop.id]),
        "deleted",
        async () => !(await platform.getDesktop(desktop.id)),
      );
      for (const action of ["start", "stop", "reboot"] as const) {
        const e = await upstreamError(platform.powerDesktop(desktop.id, action));
        expect(e).toMatchObject({ transient: false, reason: "not_found" });
      }
    });
  });
}

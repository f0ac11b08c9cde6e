import { describe, expect, it } from "vitest";
import { useHarness } from "./harness.ts";
import { type Kit, provision, succeed, upstreamError } from "./helpers.ts";
import type { ConformanceSetup } from "./types.ts";

export function tagsSuite(setup: ConformanceSetup, kit: Kit): void {
  describe("desktop tags", () => {
    const h = useHarness(setup);

    it("without the capability, writes fail permanently and reads are empty", async () => {
      const { platform } = h();
      if (platform.capabilities.tags) return;
      const { desktop } = await provision(platform, kit);
      const e = await upstreamError(platform.setDesktopTags(desktop.id, { ticket_id: "REQ-1" }));
      expect(e.transient).toBe(false);
      expect(await platform.getDesktopTags(desktop.id)).toEqual({});
    });

    it("sets, overwrites, reads back and removes tags, repeatably; the desktop shows them", async () => {
      const { platform } = h();
      if (!platform.capabilities.tags) return;
      const { desktop } = await provision(platform, kit);
      const { desktop: neighbour } = await provision(platform, kit);
      expect(await platform.getDesktopTags(desktop.id)).toEqual({});
      await platform.setDesktopTags(desktop.id, { ticket_id: "REQ-2024-0001" });
      await platform.setDesktopTags(desktop.id, { ticket_id: "REQ-2024-0001" });
      expect(await platform.getDesktopTags(desktop.id)).toEqual({ ticket_id: "REQ-2024-0001" });
      await platform.setDesktopTags(desktop.id, { ticket_id: "REQ-2024-0002", lease_until: "2026-12-31" });
      const both = { ticket_id: "REQ-2024-0002", lease_until: "2026-12-31" };
      expect(await platform.getDesktopTags(desktop.id)).toEqual(both);
      expect((await platform.getDesktop(desktop.id))?.tags).toEqual(both);
      expect(await platform.getDesktopTags(neighbour.id)).toEqual({});
      await platform.setDesktopTags(desktop.id, {});
      await platform.removeDesktopTags(desktop.id, ["lease_until", "never_set"]);
      await platform.removeDesktopTags(desktop.id, ["lease_until"]);
      await platform.removeDesktopTags(desktop.id, []);
      expect(await platform.getDesktopTags(desktop.id)).toEqual({ ticket_id: "REQ-2024-0002" });
    });

    it("tags survive a power cycle and a rebuild", async () => {
      const { platform } = h();
      if (!platform.capabilities.tags) return;
      const { desktop } = await provision(platform, kit);
      await platform.setDesktopTags(desktop.id, { ticket_id: "REQ-7" });
      await succeed(platform, kit, await platform.rebuildDesktop(desktop.id));
      const stop = await platform.powerDesktop(desktop.id, "stop");
      if (stop.jobId) await succeed(platform, kit, { jobId: stop.jobId });
      expect(await platform.getDesktopTags(desktop.id)).toEqual({ ticket_id: "REQ-7" });
    });

    it("an unknown desktop: read and set fail with not_found, remove is done; a bad key is invalid", async () => {
      const { platform } = h();
      if (!platform.capabilities.tags) return;
      const { desktop } = await provision(platform, kit);
      const bad = await upstreamError(platform.setDesktopTags(desktop.id, { "": "x" }));
      expect(bad).toMatchObject({ transient: false, reason: "invalid" });
      const gone = await platform.deleteDesktops([desktop.id]);
      if (gone.jobId) await succeed(platform, kit, { jobId: gone.jobId });
      for (const e of [
        await upstreamError(platform.getDesktopTags(desktop.id)),
        await upstreamError(platform.setDesktopTags(desktop.id, { ticket_id: "REQ-1" })),
      ]) {
        expect(e).toMatchObject({ transient: false, reason: "not_found" });
      }
      await platform.removeDesktopTags(desktop.id, ["ticket_id"]);
    });
  });
}

import type { DesktopPlatform, PlatformQuotas, QuotaResource } from "../../port.ts";
import { GIB, type WsCall } from "./client.ts";
import { newDesktopSpec } from "./desktops.ts";
import type { WorkspaceOptions } from "./options.ts";

type QuotaMethods = Pick<DesktopPlatform, "quotas" | "desktopFootprint">;

interface WsQuota {
  type: string;
  quota: number | string;
  used: number | string;
  unit?: string;
}

/** Workspace quota types (`GET /quotas`, §8.2) and what one of their units is in deskgate's. */
const RESOURCES: Record<string, { resource: QuotaResource; scale: number }> = {
  general_instances: { resource: "desktops", scale: 1 },
  cores: { resource: "vcpus", scale: 1 },
  Memory: { resource: "memoryBytes", scale: GIB },
  volumes: { resource: "volumes", scale: 1 },
  volume_gigabytes: { resource: "volumeBytes", scale: GIB },
  users: { resource: "users", scale: 1 },
};

/** Quotas (`GET /quotas`) and what a new desktop takes of them (its product, its system disk). */
export function quotaMethods(
  call: WsCall,
  opts: WorkspaceOptions,
  flavors: DesktopPlatform["flavors"],
): QuotaMethods {
  return {
    async quotas() {
      const data = await call<{ quotas?: { resources?: WsQuota[] } }>("quotas", "GET", "/quotas");
      const out: PlatformQuotas = {};
      for (const q of data.quotas?.resources ?? []) {
        const known = RESOURCES[q.type];
        const limit = Number(q.quota);
        const used = Number(q.used);
        if (!known || !Number.isFinite(limit) || !Number.isFinite(used)) continue;
        out[known.resource] = {
          limit: limit < 0 ? -1 : limit * known.scale,
          used: used * known.scale,
        };
      }
      return out;
    },

    async desktopFootprint(os) {
      const { productId, root } = newDesktopSpec(opts, os);
      const flavor = (await flavors()).find((f) => f.id === productId);
      return {
        desktops: 1,
        ...(flavor ? { vcpus: flavor.cpu, memoryBytes: flavor.memoryBytes } : {}),
        volumes: 1,
        volumeBytes: root.sizeGb * GIB,
      };
    },
  };
}

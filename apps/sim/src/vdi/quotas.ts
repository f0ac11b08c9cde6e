import { findProduct } from "../catalog.ts";
import type { SimContext } from "../context.ts";
import { VDI, vdiError } from "../errors.ts";
import type { RouteDef } from "../routes.ts";
import type { Quotas } from "../state.ts";

type QuotaType = keyof Quotas;

const UNITS: Partial<Record<QuotaType, string>> = { Memory: "GB", volume_gigabytes: "GB" };

/** What the current state uses of each quota (desktops count until they are gone). */
export function quotaUsage(ctx: SimContext): Quotas {
  const { state } = ctx;
  const used: Quotas = {
    general_instances: 0,
    cores: 0,
    Memory: 0,
    volumes: 0,
    volume_gigabytes: 0,
    users: state.users.size,
    policy_groups: state.policyGroups.size,
  };
  for (const d of state.desktops.values()) {
    const product = findProduct(d.product_id);
    used.general_instances += 1;
    used.cores += Number(product?.cpu ?? 0);
    used.Memory += Number(product?.memory ?? 0) / 1024;
    for (const v of [d.root_volume, ...d.data_volumes]) {
      used.volumes += 1;
      used.volume_gigabytes += v.size;
    }
  }
  return used;
}

/** The quotas in force: the seeded ones, with `quota_desktops` (a fault) overriding general_instances. */
export function quotaLimits(ctx: SimContext): Quotas {
  const desktops = ctx.faults.config.quota_desktops;
  return { ...ctx.state.quotas, general_instances: desktops ?? ctx.state.quotas.general_instances };
}

/** Throws 400 WKS.99000003 when adding `delta` would exceed a quota. */
export function checkQuota(ctx: SimContext, delta: Partial<Quotas>): void {
  const used = quotaUsage(ctx);
  const limits = quotaLimits(ctx);
  for (const [type, amount] of Object.entries(delta) as [QuotaType, number][]) {
    if (amount > 0 && used[type] + amount > limits[type]) {
      throw vdiError(
        400,
        VDI.quotaExceeded,
        `Insufficient quota: ${type} (requested ${amount}, used ${used[type]}, quota ${limits[type]}).`,
      );
    }
  }
}

export function quotaRoutes(ctx: SimContext): RouteDef[] {
  return [
    {
      method: "GET",
      path: "/quotas",
      handler: (c) => {
        const used = quotaUsage(ctx);
        const limits = quotaLimits(ctx);
        const resources = (Object.keys(limits) as QuotaType[]).map((type) => ({
          type,
          quota: limits[type],
          used: used[type],
          ...(UNITS[type] ? { unit: UNITS[type] } : {}),
        }));
        return c.json({ quotas: { resources } });
      },
    },
  ];
}

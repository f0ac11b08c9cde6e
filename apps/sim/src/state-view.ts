import type { SimContext } from "./context.ts";
import { quotaLimits, quotaUsage } from "./vdi/quotas.ts";
import { desktopDetail, jobView, policyGroupView, userView, volumeView } from "./vdi/views.ts";

/** `GET /_sim/state`: everything the simulator holds, secrets included (it is a test tool). */
export function stateView(ctx: SimContext) {
  const { state } = ctx;
  const desktops = [...state.desktops.values()];
  return {
    users: [...state.users.values()].map((u) => ({
      ...userView(u, desktops.filter((d) => d.user_id === u.id).length),
      password: u.password,
      created: u.created.toISOString(),
    })),
    desktops: desktops.map((d) => ({
      ...desktopDetail(d),
      user_id: d.user_id,
      image_id: d.image_id,
      busy: d.busy,
    })),
    volumes: desktops.flatMap((d) => [
      { ...volumeView(d.root_volume), desktop_id: d.desktop_id, bootable: true },
      ...d.data_volumes.map((v) => ({ ...volumeView(v), desktop_id: d.desktop_id, bootable: false })),
    ]),
    policy_groups: [...state.policyGroups.values()].map(policyGroupView),
    jobs: [...state.jobs.values()].map(jobView),
    vnc_sessions: [...state.vncSessions.values()].map((s) => ({ ...s })),
    tokens_issued: state.tokensIssued,
    quotas: { limits: quotaLimits(ctx), used: quotaUsage(ctx) },
    faults: ctx.faults.config,
    stats: structuredClone(ctx.stats),
  };
}

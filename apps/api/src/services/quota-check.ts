import { appliesNotInQuota } from "@deskgate/db";
import type { DesktopOs, QuotaAmounts, QuotaResource } from "@deskgate/upstream";
import { type ApiDeps, GIB } from "../deps.ts";
import { type Rejected, rejected, text } from "./reply.ts";

/** The resources a desktop takes, in the order a refusal names them. */
const DESKTOP_RESOURCES: readonly QuotaResource[] = [
  "desktops",
  "vcpus",
  "memoryBytes",
  "volumes",
  "volumeBytes",
];

const NAMES: Record<QuotaResource, { en: string; zh: string }> = {
  desktops: { en: "desktops", zh: "桌面数" },
  vcpus: { en: "vCPUs", zh: "vCPU" },
  memoryBytes: { en: "memory", zh: "内存" },
  volumes: { en: "disks", zh: "磁盘数" },
  volumeBytes: { en: "disk space", zh: "磁盘容量" },
  users: { en: "users", zh: "用户数" },
};

function show(resource: QuotaResource, amount: number): string {
  return resource === "memoryBytes" || resource === "volumeBytes" ? `${amount / GIB} GiB` : String(amount);
}

/**
 * Issue 13.4: refuse an apply whose desktop the platform's quota cannot hold, at request time.
 * Counted against the quota: what the platform uses, plus the applies deskgate accepted that
 * the quota read does not show yet (each by the footprint of its os), plus this one. Anything
 * unknown (platform unreachable, a flavour it does not list) skips that part of the check:
 * the worker still meets the platform's own refusal.
 */
export async function quotaRefusal(deps: ApiDeps, os: DesktopOs): Promise<Rejected | null> {
  const snapshot = await deps.catalog.quotas();
  if (!snapshot) return null;
  const mine = await deps.catalog.footprint(os);
  if (!mine) return null;
  const owed = await appliesNotInQuota(deps.database.db, snapshot.pending);
  const held: QuotaAmounts = {};
  for (const [otherOs, count] of Object.entries(owed)) {
    const each = await deps.catalog.footprint(otherOs as DesktopOs);
    if (!each) return null;
    for (const r of DESKTOP_RESOURCES) held[r] = (held[r] ?? 0) + count * (each[r] ?? 0);
  }
  for (const r of DESKTOP_RESOURCES) {
    const quota = snapshot.quotas[r];
    const need = mine[r] ?? 0;
    if (!quota || quota.limit < 0 || need === 0) continue;
    const inFlight = held[r] ?? 0;
    if (quota.used + inFlight + need <= quota.limit) continue;
    const name = NAMES[r];
    const pending = inFlight
      ? {
          en: `, ${show(r, inFlight)} more taken by ${sum(owed)} accepted apply(s) it does not show yet`,
          zh: `,另有 ${show(r, inFlight)} 由 ${sum(owed)} 个已受理、配额尚未计入的申请占用`,
        }
      : { en: "", zh: "" };
    return rejected(
      "quota_exceeded",
      text(
        `the platform's quota cannot hold this desktop: ${name.en} quota ${show(r, quota.limit)}, used ${show(r, quota.used)}${pending.en}; a ${os} desktop needs ${show(r, need)}`,
        `平台配额不足,无法创建该桌面:${name.zh}配额 ${show(r, quota.limit)},已用 ${show(r, quota.used)}${pending.zh};一个 ${os} 桌面需要 ${show(r, need)}`,
      ),
    );
  }
  return null;
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

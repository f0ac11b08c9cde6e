import type { SimContext } from "../context.ts";
import { badRequest, desktopBusy, VDI, vdiError } from "../errors.ts";
import type { DesktopRecord } from "../state.ts";

export const VOLUME_TYPES = ["SAS", "SSD", "GPSSD", "GPSSD2", "SATA"] as const;
export const MAX_DATA_VOLUMES = 10;

/** 404 WKS.99000002 for a desktop that does not exist (or is already gone). */
export function findDesktop(ctx: SimContext, desktopId: string): DesktopRecord {
  const desktop = ctx.state.desktops.get(desktopId);
  if (!desktop) throw vdiError(404, VDI.desktopNotFound, `The desktop does not exist: ${desktopId}.`);
  return desktop;
}

/** 409 WKS.00010032 while a job holds the desktop or it is ERROR / DELETING / still being created. */
export function assertMutable(desktop: DesktopRecord, operation: string): void {
  if (desktop.busy || ["ERROR", "DELETING", ""].includes(desktop.status)) {
    const status = desktop.status || "BUILD";
    throw desktopBusy(desktop.task_status ? `${status}/${desktop.task_status}` : status, operation);
  }
}

/** Volume calls answer 400 WKS.0407 while disks are being added, else the general busy rule. */
export function assertVolumesMutable(desktop: DesktopRecord, operation: string): void {
  if (desktop.busy?.job_type === "addVolumes") {
    throw vdiError(
      400,
      VDI.disksBeingAdded,
      "This operation cannot be performed because disks are being added.",
    );
  }
  assertMutable(desktop, operation);
}

/** Data disks: 10-32760 GB in steps of 10 (system disk: 80-32760). */
export function checkVolumeSize(size: unknown, path: string, min = 10): number {
  if (
    !Number.isInteger(size) ||
    (size as number) < min ||
    (size as number) > 32760 ||
    (size as number) % 10 !== 0
  ) {
    throw vdiError(
      400,
      VDI.diskSizeInvalid,
      `Invalid disk size ${String(size)} at ${path}: it must be ${min}-32760 GB in steps of 10.`,
    );
  }
  return size as number;
}

const CJK = /[\u4e00-\u9fa5]/;
const COMPUTER_NAME = /^[A-Za-z0-9\u4e00-\u9fa5][A-Za-z0-9\u4e00-\u9fa5-]*$/;

/** computer_name: letters, digits, "-" and CJK (2 each), 1-15, starts with a letter or digit, no trailing "-". */
export function checkComputerName(name: string, userName: string, path: string): void {
  const length = [...name].reduce((n, ch) => n + (CJK.test(ch) ? 2 : 1), 0);
  if (length < 1 || length > 15 || !COMPUTER_NAME.test(name) || name.endsWith("-")) {
    throw badRequest(
      `Invalid parameter: ${path} must be 1-15 characters of letters, digits, "-" and Chinese characters (2 each), start with a letter or digit and not end with "-".`,
    );
  }
  if (name.toLowerCase() === userName.toLowerCase()) {
    throw badRequest(`Invalid parameter: ${path} must differ from the user name.`);
  }
}

export function computerNameTaken(ctx: SimContext, name: string, reserved: ReadonlySet<string>): boolean {
  const lower = name.toLowerCase();
  if (reserved.has(lower)) return true;
  for (const d of ctx.state.desktops.values()) if (d.computer_name.toLowerCase() === lower) return true;
  return false;
}

/**
 * The platform's own name when computer_name is omitted: UPPER(user name without "_" and other
 * disallowed characters) + a 2-digit sequence, at most 15 characters (`chenmin` → `CHENMIN01`).
 */
export function autoComputerName(ctx: SimContext, userName: string, reserved: ReadonlySet<string>): string {
  const base =
    userName
      .replace(/[^A-Za-z0-9-]/g, "")
      .replace(/^-+/, "")
      .toUpperCase() || "DESKTOP";
  for (let seq = 1; ; seq++) {
    const suffix = String(seq).padStart(2, "0");
    const name = base.slice(0, 15 - suffix.length) + suffix;
    if (name.toLowerCase() !== userName.toLowerCase() && !computerNameTaken(ctx, name, reserved)) return name;
  }
}

import type { DesktopOs, PowerState } from "../../port.ts";
import type { WorkspaceOptions } from "./options.ts";
import type { WsDesktop, WsTag } from "./types.ts";

/**
 * `status` ACTIVE → on; SHUTOFF and HIBERNATED → off (os-start brings either back); anything
 * else (empty while building or being removed, ERROR, DELETING) → unknown. A power action
 * changes `status` only when it is done (`task_status` shows it meanwhile).
 */
export function powerState(d: WsDesktop): PowerState {
  const status = (d.status ?? "").toUpperCase();
  if (status === "ACTIVE") return "on";
  if (status === "SHUTOFF" || status === "HIBERNATED") return "off";
  return "unknown";
}

/** The os whose configured image the desktop runs (`metadata["metering.image_id"]`), if any. */
export function desktopOs(d: WsDesktop, images: WorkspaceOptions["images"]): DesktopOs | null {
  const imageId = d.metadata?.["metering.image_id"];
  if (!imageId) return null;
  const match = (Object.entries(images) as [DesktopOs, string | undefined][]).find(
    ([, id]) => id === imageId,
  );
  return match?.[0] ?? null;
}

/** `[{key, value}]` → `{ key: value }` (a tag without a value reads as ""). */
export function tagRecord(tags: WsTag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (typeof t.key === "string") out[t.key] = t.value ?? "";
  return out;
}

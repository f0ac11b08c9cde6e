import { UpstreamError } from "../../errors.ts";
import type { DesktopPlatform, DesktopPolicy, PlatformDesktop } from "../../port.ts";
import { permanent, seg, unlessNotFound, type WsCall } from "./client.ts";
import type { WsPolicyGroup, WsTarget } from "./types.ts";

type PolicyMethods = Pick<DesktopPlatform, "getPolicy" | "setPolicy">;

const ALL_OFF: DesktopPolicy = { usbEnable: false, dataAccess: false };
const COMBINATIONS: DesktopPolicy[] = [false, true].flatMap((usbEnable) =>
  [false, true].map((dataAccess) => ({ usbEnable, dataAccess })),
);

/** `deskgate_usb{0,1}_data{0,1}`: one group per USB × data-access combination (UPSTREAM-VDI §4). */
export function policyGroupName(p: DesktopPolicy): string {
  return `deskgate_usb${p.usbEnable ? 1 : 0}_data${p.dataAccess ? 1 : 0}`;
}

const BY_NAME = new Map(COMBINATIONS.map((p) => [policyGroupName(p), p]));

/** The group's `policies`: USB redirection, and file redirection + clipboard for data access (§4). */
export function policyBody(p: DesktopPolicy): Record<string, unknown> {
  const usb = p.usbEnable;
  return {
    peripherals: {
      usb_port_redirection: {
        usb_enable: usb,
        options: {
          usb_storage_enable: usb,
          usb_image_enable: usb,
          usb_video_enable: usb,
          usb_printer_enable: usb,
          usb_smart_card_enable: usb,
          other_usb_devices_enable: usb,
        },
      },
    },
    file_and_clipboard: {
      file_redirection: {
        redirection_mode: p.dataAccess ? "READ_AND_WRITE" : "DISABLED",
        vm_send_file_client: p.dataAccess,
      },
      clipboard_redirection: p.dataAccess ? "TWO_WAY_ENABLED" : "DISABLED",
    },
  };
}

/**
 * Policies live in policy groups (§4). deskgate keeps four fixed groups, created lazily, and a
 * desktop's INSTANCE target (its SID) sits in at most one of them; a desktop in none is covered
 * by the platform's all-off default. A change adds the target to the new group first, then
 * removes it from the old one, so a crash in between never leaves the desktop uncovered, and
 * a repeat finishes the move.
 */
export function policyMethods(call: WsCall, priority: number): PolicyMethods {
  const ids = new Map<string, string>();

  const lookup = async (name: string): Promise<string | null> => {
    const q = new URLSearchParams({
      policy_group_name: name,
      is_group_name_accurate: "true",
      limit: "100",
      offset: "0",
    });
    const data = await call<{ policy_groups?: WsPolicyGroup[] }>(
      "find policy group",
      "GET",
      `/policy-groups?${q}`,
    );
    const group = (data.policy_groups ?? []).find((g) => g.policy_group_name === name);
    if (group) ids.set(name, group.policy_group_id);
    return group?.policy_group_id ?? null;
  };

  /** The group's id: cached, else looked up by exact name, else created (a lost create race → look up again). */
  const ensure = async (policy: DesktopPolicy): Promise<string> => {
    const name = policyGroupName(policy);
    const known = ids.get(name) ?? (await lookup(name));
    if (known) return known;
    try {
      const { id } = await call<{ id: string }>("create policy group", "POST", "/policy-groups", {
        policy_group: {
          policy_group_name: name,
          priority,
          description: "managed by deskgate: do not edit or delete",
          policies: policyBody(policy),
        },
      });
      ids.set(name, id);
      return id;
    } catch (e) {
      if (!(e instanceof UpstreamError && e.platformCode === "WKS.00081101")) throw e;
      const raced = await lookup(name);
      if (!raced) throw e;
      return raced;
    }
  };

  const hasTarget = async (groupId: string, sid: string): Promise<boolean> => {
    for (let offset = 0; ; offset += 1000) {
      const q = new URLSearchParams({ target_type: "INSTANCE", limit: "1000", offset: String(offset) });
      const data = await call<{ targets?: WsTarget[] }>(
        "read policy targets",
        "GET",
        `/policy-groups/${seg(groupId)}/targets?${q}`,
      );
      const targets = data.targets ?? [];
      if (targets.some((t) => t.target_type === "INSTANCE" && t.target_id === sid)) return true;
      if (targets.length < 1000) return false;
    }
  };

  /** The deskgate groups (by name) whose targets hold this SID. */
  const membership = async (sid: string): Promise<{ name: string; id: string }[]> => {
    const q = new URLSearchParams({ policy_group_name: "deskgate_", limit: "100", offset: "0" });
    const data = await call<{ policy_groups?: WsPolicyGroup[] }>(
      "list policy groups",
      "GET",
      `/policy-groups?${q}`,
    );
    const ours = (data.policy_groups ?? []).filter((g) => BY_NAME.has(g.policy_group_name));
    for (const g of ours) ids.set(g.policy_group_name, g.policy_group_id);
    const held = await Promise.all(
      ours.map(async (g) => (await unlessNotFound(() => hasTarget(g.policy_group_id, sid), false)) && g),
    );
    return held.filter((g) => g !== false).map((g) => ({ name: g.policy_group_name, id: g.policy_group_id }));
  };

  const targets = (groupId: string, op: "add" | "delete", target: WsTarget) =>
    call("move policy target", "PUT", `/policy-groups/${seg(groupId)}/targets`, { [op]: [target] });

  return {
    async getPolicy(desktop) {
      if (!desktop.sid) return { ...ALL_OFF };
      const groups = await membership(desktop.sid);
      // In several groups only after an interrupted move: report the most permissive.
      return groups.reduce<DesktopPolicy>((acc, g) => {
        const p = BY_NAME.get(g.name)!;
        return { usbEnable: acc.usbEnable || p.usbEnable, dataAccess: acc.dataAccess || p.dataAccess };
      }, ALL_OFF);
    },

    async setPolicy(desktop, policy) {
      const target = instanceTarget(desktop);
      const wanted = policyGroupName(policy);
      const current = await membership(target.target_id);
      if (!current.some((g) => g.name === wanted)) {
        try {
          await targets(await ensure(policy), "add", target);
        } catch (e) {
          // The cached group was deleted behind our back: find or create it again, once.
          if (!(e instanceof UpstreamError && e.platformCode === "WKS.00081104")) throw e;
          ids.delete(wanted);
          await targets(await ensure(policy), "add", target);
        }
      }
      for (const g of current) {
        if (g.name !== wanted) await unlessNotFound(() => targets(g.id, "delete", target), undefined);
      }
    },
  };
}

function instanceTarget(desktop: PlatformDesktop): WsTarget {
  if (!desktop.sid)
    throw permanent(`set policy: desktop ${desktop.name} has no SID yet (still being created?)`);
  return { target_id: desktop.sid, target_name: desktop.name.slice(0, 55), target_type: "INSTANCE" };
}

import type { DesktopOs, DesktopPlatform, DesktopState, PlatformDesktop } from "../../port.ts";
import { GIB, MIB, permanent, seg, unlessNotFound, type WsCall } from "./client.ts";
import { desktopOs, powerState, tagRecord } from "./desktop-fields.ts";
import type { WorkspaceOptions } from "./options.ts";
import type { WsDesktop } from "./types.ts";

type DesktopMethods = Pick<
  DesktopPlatform,
  "createDesktop" | "findDesktopByName" | "getDesktop" | "listDesktops" | "deleteDesktop"
>;

const LINUX: ReadonlySet<DesktopOs> = new Set(["kylin"]);
const PAGE = 100;

/** The product (flavour) and system disk a new desktop of `os` gets. */
export function newDesktopSpec(opts: WorkspaceOptions, os: DesktopOs) {
  const linux = LINUX.has(os);
  return {
    linux,
    productId: linux ? opts.products.linux : opts.products.windows,
    root: opts.rootVolume ?? { type: "SAS", sizeGb: 80 },
  };
}

/** Desktops (§2.2): create is a job; get is 404 when unknown; the list's user_name filter is fuzzy. */
export function desktopMethods(call: WsCall, opts: WorkspaceOptions): DesktopMethods {
  const detail = (id: string) =>
    unlessNotFound(async () => {
      const data = await call<{ desktop: WsDesktop }>("get desktop", "GET", `/desktops/${seg(id)}`);
      return toDesktop(data.desktop, opts.images);
    }, null);

  /** Every page of `GET /desktops` for a query, then details of the exact matches. */
  const list = async (what: string, query: Record<string, string>, keep: (d: WsDesktop) => boolean) => {
    const matches: WsDesktop[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const q = new URLSearchParams({ ...query, limit: String(PAGE), offset: String(offset) });
      const data = await call<{ desktops?: WsDesktop[] }>(what, "GET", `/desktops?${q}`);
      const page = data.desktops ?? [];
      matches.push(...page.filter(keep));
      if (page.length < PAGE) break;
    }
    // The list lacks flavour and disks: read each match's detail (a desktop gone meanwhile is skipped).
    const details = await Promise.all(matches.map((d) => detail(d.desktop_id)));
    return details.filter((d): d is PlatformDesktop => d !== null);
  };

  return {
    async createDesktop({ userName, os, name }) {
      const imageId = opts.images[os];
      if (!imageId) {
        const known = Object.keys(opts.images).join(", ") || "none";
        throw permanent(`create desktop: no image is configured for os ${os} (available: ${known})`);
      }
      const { linux, productId, root } = newDesktopSpec(opts, os);
      const data = await call<{ job_id: string }>("create desktop", "POST", "/desktops", {
        desktop_type: "DEDICATED",
        product_id: productId,
        image_type: "gold",
        image_id: imageId,
        root_volume: { type: root.type, size: root.sizeGb },
        desktops: [{ user_name: userName, user_group: linux ? "default" : "users", computer_name: name }],
        email_notification: false,
      });
      return { jobId: data.job_id };
    },

    async findDesktopByName(name) {
      // Computer names are unique regardless of case (Windows names are case-insensitive).
      const lower = name.toLowerCase();
      const found = await list(
        "find desktop",
        { computer_name: name },
        (d) => d.computer_name.toLowerCase() === lower,
      );
      return found[0] ?? null;
    },

    getDesktop: detail,

    listDesktops(userName) {
      return list("list desktops", { user_name: userName }, (d) => ownerNames(d).includes(userName));
    },

    async deleteDesktop(id) {
      const q = new URLSearchParams({ delete_users: "false", email_notification: "false" });
      await unlessNotFound(() => call("delete desktop", "DELETE", `/desktops/${seg(id)}?${q}`), undefined);
    },
  };
}

function ownerNames(d: WsDesktop): string[] {
  const names = (d.attach_user_infos ?? []).map((u) => u.user_name ?? "");
  return d.user_name ? [d.user_name, ...names] : names;
}

/**
 * DesktopDetailInfo → PlatformDesktop: cpu is a count, memory MB → bytes, disks GB·1024³ by
 * `volume_id`, power from `status`, os from `metadata["metering.image_id"]`, tags.
 */
export function toDesktop(d: WsDesktop, images: WorkspaceOptions["images"]): PlatformDesktop {
  const cpu = Number(d.product?.cpu);
  const memoryMb = Number(d.product?.memory);
  return {
    id: d.desktop_id,
    name: d.computer_name,
    userName: ownerNames(d)[0] ?? "",
    state: desktopState(d),
    productId: d.product_id ?? d.product?.product_id ?? null,
    sid: d.sid || null,
    cpu: d.product?.cpu && Number.isFinite(cpu) ? cpu : null,
    memoryBytes: d.product?.memory && Number.isFinite(memoryMb) ? memoryMb * MIB : null,
    volumes: (d.data_volumes ?? []).map((v) => ({
      id: v.volume_id,
      name: v.display_name ?? v.device ?? v.volume_id,
      sizeBytes: v.size * GIB,
    })),
    power: powerState(d),
    os: desktopOs(d, images),
    tags: tagRecord(d.tags),
  };
}

const BUILDING = new Set(["scheduling", "spawning", "block_device_mapping", "networking"]);

/**
 * `status` ACTIVE | SHUTOFF | HIBERNATED | ERROR | DELETING, empty while being built; while
 * being built `task_status` is scheduling/spawning. A desktop busy with anything else (a resize,
 * a power action) is still "active": the platform answers WKS.00010032 (transient) if it
 * cannot take a change yet.
 */
export function desktopState(d: WsDesktop): DesktopState {
  const status = (d.status ?? "").toUpperCase();
  const task = (d.task_status ?? "").toLowerCase();
  if (status === "ERROR") return "error";
  if (status === "DELETING" || task === "deleting") return "deleting";
  if (status === "" || BUILDING.has(task)) return "creating";
  return "active";
}

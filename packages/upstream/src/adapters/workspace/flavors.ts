import type { DesktopPlatform, PlatformFlavor } from "../../port.ts";
import { MIB, permanent, seg, type WsCall } from "./client.ts";
import type { WsDesktop, WsProduct } from "./types.ts";

type FlavorMethods = Pick<DesktopPlatform, "resizeTargets" | "flavorTargets" | "flavors" | "resizeDesktop">;

const PAGE = 100;

/** Products on sale, as flavours, smallest first. */
function toFlavors(products: WsProduct[], except?: string): PlatformFlavor[] {
  return products
    .filter((p) => p.product_id !== except && (p.status ?? "normal") === "normal")
    .map((p) => ({ id: p.product_id, cpu: Number(p.cpu), memoryBytes: Number(p.memory) * MIB }))
    .filter((f) => Number.isFinite(f.cpu) && Number.isFinite(f.memoryBytes))
    .sort((a, b) => a.cpu - b.cpu || a.memoryBytes - b.memoryBytes || a.id.localeCompare(b.id));
}

/** Flavours are products (§3): `GET /products?product_id=<current>` lists the resize targets. */
export function flavorMethods(call: WsCall): FlavorMethods {
  const flavorTargets = async (current: string) => {
    const q = new URLSearchParams({ product_id: current });
    const data = await call<{ products?: WsProduct[] }>("resize targets", "GET", `/products?${q}`);
    return toFlavors(data.products ?? [], current);
  };
  return {
    async resizeTargets(desktopId) {
      const { desktop } = await call<{ desktop: WsDesktop }>(
        "resize targets",
        "GET",
        `/desktops/${seg(desktopId)}`,
      );
      const current = desktop.product_id ?? desktop.product?.product_id;
      if (!current) throw permanent(`resize targets: desktop ${desktopId} has no product`);
      return flavorTargets(current);
    },

    flavorTargets,

    async flavors() {
      const all: WsProduct[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const q = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
        const data = await call<{ products?: WsProduct[] }>("list products", "GET", `/products?${q}`);
        const page = data.products ?? [];
        all.push(...page);
        if (page.length < PAGE) break;
      }
      return toFlavors(all);
    },

    async resizeDesktop(desktopId, flavorId) {
      const data = await call<{ job_id: string }>("resize desktop", "POST", "/desktops/resize", {
        desktops: [{ desktop_id: desktopId }],
        product_id: flavorId,
        mode: "STOP_DESKTOP",
      });
      return { jobId: data.job_id };
    },
  };
}

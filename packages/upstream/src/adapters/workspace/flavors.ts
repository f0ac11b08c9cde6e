import type { DesktopPlatform } from "../../port.ts";
import { MIB, permanent, seg, type WsCall } from "./client.ts";
import type { WsDesktop, WsProduct } from "./types.ts";

type FlavorMethods = Pick<DesktopPlatform, "resizeTargets" | "resizeDesktop">;

/** Flavours are products (§3): `GET /products?product_id=<current>` lists the resize targets. */
export function flavorMethods(call: WsCall): FlavorMethods {
  return {
    async resizeTargets(desktopId) {
      const { desktop } = await call<{ desktop: WsDesktop }>(
        "resize targets",
        "GET",
        `/desktops/${seg(desktopId)}`,
      );
      const current = desktop.product_id ?? desktop.product?.product_id;
      if (!current) throw permanent(`resize targets: desktop ${desktopId} has no product`);
      const q = new URLSearchParams({ product_id: current });
      const data = await call<{ products?: WsProduct[] }>("resize targets", "GET", `/products?${q}`);
      return (data.products ?? [])
        .filter((p) => p.product_id !== current && (p.status ?? "normal") === "normal")
        .map((p) => ({ id: p.product_id, cpu: Number(p.cpu), memoryBytes: Number(p.memory) * MIB }))
        .filter((f) => Number.isFinite(f.cpu) && Number.isFinite(f.memoryBytes))
        .sort((a, b) => a.cpu - b.cpu || a.memoryBytes - b.memoryBytes || a.id.localeCompare(b.id));
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

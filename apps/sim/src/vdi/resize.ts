import { findProduct, resizeTargets } from "../catalog.ts";
import type { SimContext } from "../context.ts";
import { VDI, vdiError } from "../errors.ts";
import { objectAt, oneOf, optArray, readBody, reqString } from "../http.ts";
import type { RouteDef } from "../routes.ts";
import type { DesktopRecord } from "../state.ts";
import { assertMutable, findDesktop } from "./desktop-rules.ts";
import { type SubJobPlan, startJob } from "./jobs.ts";
import { checkQuota } from "./quotas.ts";

/**
 * `POST /desktops/resize {"desktops":[{"desktop_id"}],"product_id","mode":"STOP_DESKTOP"}`: the
 * desktop is SHUTOFF for the whole job, then gets the new product and its power state back.
 */
export function resizeRoutes(ctx: SimContext): RouteDef[] {
  return [
    {
      method: "POST",
      path: "/desktops/resize",
      handler: async (c) => {
        const body = await readBody(c);
        const entries = optArray(body, "desktops", "desktops", 100) ?? [];
        if (entries.length === 0)
          throw vdiError(400, VDI.badRequest, "Invalid parameter: desktops is required.");
        const productId = reqString(body, "product_id");
        oneOf(reqString(body, "mode"), ["STOP_DESKTOP"] as const, "mode");
        const target = findProduct(productId);
        if (!target) throw vdiError(400, VDI.productInvalid, `The product does not exist: ${productId}.`);
        const desktops = entries.map((_, i) => {
          const id = reqString(objectAt(entries, i, "desktops"), "desktop_id", `desktops[${i}].desktop_id`);
          return findDesktop(ctx, id);
        });
        for (const d of desktops) checkResizable(d, productId);
        let cores = 0;
        let memory = 0;
        for (const d of desktops) {
          const current = findProduct(d.product_id)!;
          cores += Number(target.cpu) - Number(current.cpu);
          memory += (Number(target.memory) - Number(current.memory)) / 1024;
        }
        checkQuota(ctx, { cores, Memory: memory });
        const job = startJob(
          ctx,
          "resizeDesktops",
          desktops.map((d) => resizePlan(d, productId)),
        );
        return c.json({
          job_id: job.id,
          jobs: desktops.map((d) => ({ desktop_id: d.desktop_id, job_id: job.id })),
        });
      },
    },
  ];
}

function checkResizable(desktop: DesktopRecord, productId: string): void {
  assertMutable(desktop, "resize");
  if (desktop.product_id === productId) {
    throw vdiError(
      400,
      VDI.sameProduct,
      `The desktop already uses product ${productId}; resizing to the same product is not supported.`,
    );
  }
  if (!resizeTargets(desktop.product_id).some((p) => p.product_id === productId)) {
    throw vdiError(
      400,
      VDI.productInvalid,
      `Product ${productId} is not a resize target of ${desktop.product_id}.`,
    );
  }
}

function resizePlan(desktop: DesktopRecord, productId: string): SubJobPlan {
  const powerState = desktop.status;
  desktop.status = "SHUTOFF";
  desktop.task_status = "resize_prep";
  return {
    desktop,
    productId,
    fail: null,
    onRunning: () => {
      desktop.task_status = "resize_migrating";
    },
    onSuccess: () => {
      desktop.product_id = productId;
      desktop.status = powerState;
      desktop.task_status = "";
    },
  };
}

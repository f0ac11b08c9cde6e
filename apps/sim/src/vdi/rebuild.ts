import { availableImages, findProduct, productOsFor } from "../catalog.ts";
import type { SimContext } from "../context.ts";
import { badRequest, VDI, vdiError } from "../errors.ts";
import { oneOf, optString, readBody, reqString } from "../http.ts";
import type { RouteDef } from "../routes.ts";
import type { DesktopRecord } from "../state.ts";
import { readDesktopIds } from "./batch.ts";
import { assertMutable } from "./desktop-rules.ts";
import { type SubJobPlan, startJob } from "./jobs.ts";

/**
 * BatchRebuildDesktopsSystemDisk: `POST /desktops/rebuild {desktop_ids, image_type, image_id,
 * os_type?, delay_time?, message?, enterprise_project_id?}` → 200 `{job_id}`, a
 * `rebuildDesktops` job [SDK model_rebuild_desktops_req.go,
 * model_batch_rebuild_desktops_system_disk_response.go; DEF BatchRebuildDesktopsSystemDisk].
 *
 * Only the system disk is rebuilt: the desktop keeps its id, SID, name, product, user, data
 * disks, tags and policy targets; on success it has the new image (and its os_type) and is
 * ACTIVE [GUESS: running afterwards, whatever it was before]. `task_status` runs
 * rebuilding → rebuild_spawning. An image whose os_type does not fit the desktop's product
 * (a Windows product cannot take a Linux image; macOS takes Windows products, as at create) →
 * 400 WKS.99000004 [GUESS]. A desktop that a job holds, or that is ERROR / DELETING / being
 * created, refuses the whole request (409 WKS.00010032).
 */
export function rebuildRoutes(ctx: SimContext): RouteDef[] {
  return [
    {
      method: "POST",
      path: "/desktops/rebuild",
      handler: async (c) => {
        const body = await readBody(c);
        const desktops = readDesktopIds(ctx, body);
        const imageType = oneOf(
          reqString(body, "image_type"),
          ["gold", "private", "market"] as const,
          "image_type",
        );
        const imageId = reqString(body, "image_id");
        const image = availableImages(ctx.options.macos).find((i) => i.image_id === imageId);
        if (!image) throw badRequest(`Invalid parameter: image_id ${imageId} does not exist.`);
        const osType = optString(body, "os_type", "os_type", 255);
        if (osType !== undefined && osType !== image.os_type) {
          throw badRequest(
            `Invalid parameter: os_type ${osType} does not match the image's ${image.os_type}.`,
          );
        }
        const delay = body.delay_time;
        if (delay !== undefined && (!Number.isInteger(delay) || (delay as number) < 0)) {
          throw badRequest("Invalid parameter: delay_time must be an integer ≥ 0 (minutes).");
        }
        optString(body, "message", "message", 400);
        for (const d of desktops) {
          assertMutable(d, "rebuild");
          const product = findProduct(d.product_id);
          if (!product || productOsFor(image.os_type) !== product.os_type) {
            throw vdiError(
              400,
              VDI.productInvalid,
              `The image ${imageId} (${image.os_type}) does not fit the product ${d.product_id} of desktop ${d.desktop_id}.`,
            );
          }
        }
        const plans = desktops.map((d) => rebuildPlan(d, { imageId, imageType, osType: image.os_type }));
        return c.json({ job_id: startJob(ctx, "rebuildDesktops", plans).id });
      },
    },
  ];
}

function rebuildPlan(
  desktop: DesktopRecord,
  target: { imageId: string; imageType: string; osType: string },
): SubJobPlan {
  desktop.task_status = "rebuilding";
  return {
    desktop,
    fail: null,
    onRunning: () => {
      desktop.task_status = "rebuild_spawning";
    },
    onSuccess: () => {
      desktop.image_id = target.imageId;
      desktop.image_type = target.imageType;
      desktop.os_type = target.osType;
      desktop.status = "ACTIVE";
      desktop.task_status = "";
    },
  };
}

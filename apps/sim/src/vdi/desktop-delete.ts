import type { SimContext } from "../context.ts";
import { desktopBusy } from "../errors.ts";
import { optBool, readBody } from "../http.ts";
import type { RouteDef } from "../routes.ts";
import type { DesktopRecord } from "../state.ts";
import { readDesktopIds } from "./batch.ts";
import { removeDesktop } from "./desktops.ts";
import { type SubJobPlan, startJob } from "./jobs.ts";

/**
 * BatchDeleteDesktops: `POST /desktops/batch-delete {desktop_ids, delete_users?,
 * email_notification?, is_force_delete?}` → 202 `{job_id}`, a `deleteDesktops` job with one
 * sub-job per desktop [SDK model_delete_desktops_req.go; DEF BatchDeleteDesktops: 202].
 *
 * Every desktop turns `DELETING` at once; when its sub-job ends it is gone (404), with its data
 * disks, its policy targets and its tags, and its quota is free again. `delete_users=true`
 * deletes a user only once they own no other desktop, as the single DELETE does. A desktop that
 * a job holds, or one already being deleted, refuses the whole request (409 WKS.00010032).
 */
export function desktopDeleteRoutes(ctx: SimContext): RouteDef[] {
  return [
    {
      method: "POST",
      path: "/desktops/batch-delete",
      handler: async (c) => {
        const body = await readBody(c);
        const desktops = readDesktopIds(ctx, body);
        const deleteUsers = optBool(body, "delete_users") ?? false;
        optBool(body, "email_notification");
        optBool(body, "is_force_delete");
        for (const d of desktops) {
          if (d.busy || d.status === "DELETING") throw desktopBusy(d.status || "BUILD", "delete");
        }
        const job = startJob(
          ctx,
          "deleteDesktops",
          desktops.map((d) => deletePlan(ctx, d, deleteUsers)),
        );
        return c.json({ job_id: job.id }, 202);
      },
    },
  ];
}

function deletePlan(ctx: SimContext, desktop: DesktopRecord, deleteUsers: boolean): SubJobPlan {
  desktop.status = "DELETING";
  desktop.task_status = "deleting";
  return {
    desktop,
    fail: null,
    onSuccess: () => removeDesktop(ctx, desktop, deleteUsers),
  };
}

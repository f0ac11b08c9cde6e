import type { Hono } from "hono";
import { gatewayAuth } from "../auth/index.ts";
import type { SimContext } from "../context.ts";
import { VDI } from "../errors.ts";
import { mountRoutes } from "../routes.ts";
import { catalogRoutes } from "./catalog-routes.ts";
import { desktopActionRoutes } from "./desktop-actions.ts";
import { desktopCreateRoutes } from "./desktop-create.ts";
import { desktopDeleteRoutes } from "./desktop-delete.ts";
import { desktopRoutes } from "./desktops.ts";
import { jobRoutes } from "./job-routes.ts";
import { passwordExtensionRoutes } from "./password-extension.ts";
import { policyRoutes } from "./policies.ts";
import { quotaRoutes } from "./quotas.ts";
import { rebuildRoutes } from "./rebuild.ts";
import { resizeRoutes } from "./resize.ts";
import { tagRoutes } from "./tags.ts";
import { userRoutes } from "./users.ts";
import { volumeRoutes } from "./volumes.ts";

export const VDI_BASE = "/v2/:project_id";

/** The Huawei Workspace v2 subset under `/v2/{project_id}`: token check, project check, routes. */
export function mountVdi(app: Hono, ctx: SimContext): void {
  app.use("/v2/*", gatewayAuth(ctx));
  app.use("/v2/*", async (c, next) => {
    const projectId = c.req.path.split("/")[2];
    if (projectId !== ctx.options.projectId) {
      return c.json(
        { error_code: VDI.noRoute, error_msg: `The project does not exist: ${projectId ?? ""}.` },
        404,
      );
    }
    await next();
  });
  mountRoutes(app, ctx, "vdi", VDI_BASE, [
    ...userRoutes(ctx),
    ...(ctx.options.setPasswordExtension ? passwordExtensionRoutes(ctx) : []),
    ...desktopCreateRoutes(ctx),
    ...resizeRoutes(ctx),
    ...desktopRoutes(ctx),
    ...volumeRoutes(ctx),
    ...catalogRoutes(ctx),
    ...jobRoutes(ctx),
    ...quotaRoutes(ctx),
    ...policyRoutes(ctx),
    ...desktopDeleteRoutes(ctx),
    ...desktopActionRoutes(ctx),
    ...rebuildRoutes(ctx),
    ...tagRoutes(ctx),
  ]);
}

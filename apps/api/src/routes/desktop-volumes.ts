import { ResourceId } from "@deskgate/contracts";
import type { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { requireKey } from "../middleware/auth.ts";
import { volumesOfDesktop } from "../services/lookups.ts";
import { respond } from "./respond.ts";

/** GET /api/desktop/{uuid}/volumes — seed §6; SPEC 2.6. Sizes in bytes; `status` a number. */
export function registerDesktopVolumes(app: Hono, deps: ApiDeps): void {
  app.get("/api/desktop/:uuid/volumes", requireKey(deps, "desktop"), async (c) => {
    const uuid = c.req.param("uuid");
    const parsed = ResourceId.safeParse(uuid);
    if (!parsed.success) throw new ApiError("invalid_request", `uuid: ${parsed.error.issues[0]?.message}`);
    return respond(c, await volumesOfDesktop(deps, c.get("caller"), uuid));
  });
}

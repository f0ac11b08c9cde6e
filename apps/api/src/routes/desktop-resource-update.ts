import { ResourceUpdateRequest } from "@deskgate/contracts";
import type { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { requireKey } from "../middleware/auth.ts";
import { readJsonBody } from "../middleware/json-body.ts";
import { acceptResourceUpdate } from "../services/resource-update.ts";
import { idempotencyOf, respond } from "./respond.ts";

/** POST /api/desktop/resource-update — seed §2; SPEC 2.2. Async: the outcome is the callback. */
export function registerDesktopResourceUpdate(app: Hono, deps: ApiDeps): void {
  app.post("/api/desktop/resource-update", requireKey(deps, "desktop"), async (c) => {
    const { data, raw } = await readJsonBody(c, ResourceUpdateRequest);
    const caller = c.get("caller");
    return respond(c, await acceptResourceUpdate(deps, caller, data, idempotencyOf(deps, c, caller, raw)));
  });
}

import { DesktopDeleteRequest } from "@deskgate/contracts";
import type { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { requireKey } from "../middleware/auth.ts";
import { readJsonBody } from "../middleware/json-body.ts";
import { acceptDesktopDelete } from "../services/desktop-delete.ts";
import { idempotencyOf, respond } from "./respond.ts";

/** POST /api/desktop/delete — async: the outcome is the callback. */
export function registerDesktopDelete(app: Hono, deps: ApiDeps): void {
  app.post("/api/desktop/delete", requireKey(deps, "desktop"), async (c) => {
    const { data, raw } = await readJsonBody(c, DesktopDeleteRequest);
    const caller = c.get("caller");
    return respond(c, await acceptDesktopDelete(deps, caller, data, idempotencyOf(deps, c, caller, raw)));
  });
}

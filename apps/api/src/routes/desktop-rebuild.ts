import { DesktopRebuildRequest } from "@deskgate/contracts";
import type { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { requireKey } from "../middleware/auth.ts";
import { readJsonBody } from "../middleware/json-body.ts";
import { acceptDesktopRebuild } from "../services/desktop-power.ts";
import { idempotencyOf, respond } from "./respond.ts";

/** POST /api/desktop/rebuild — rebuild (reimage the system disk); async: the outcome is the callback. */
export function registerDesktopRebuild(app: Hono, deps: ApiDeps): void {
  app.post("/api/desktop/rebuild", requireKey(deps, "desktop"), async (c) => {
    const { data, raw } = await readJsonBody(c, DesktopRebuildRequest);
    const caller = c.get("caller");
    return respond(c, await acceptDesktopRebuild(deps, caller, data, idempotencyOf(deps, c, caller, raw)));
  });
}

import { DesktopPowerRequest } from "@deskgate/contracts";
import type { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { requireKey } from "../middleware/auth.ts";
import { readJsonBody } from "../middleware/json-body.ts";
import { acceptDesktopPower } from "../services/desktop-power.ts";
import { idempotencyOf, respond } from "./respond.ts";

/** POST /api/desktop/power — power (start, stop, reboot); async: the outcome is the callback. */
export function registerDesktopPower(app: Hono, deps: ApiDeps): void {
  app.post("/api/desktop/power", requireKey(deps, "desktop"), async (c) => {
    const { data, raw } = await readJsonBody(c, DesktopPowerRequest);
    const caller = c.get("caller");
    return respond(c, await acceptDesktopPower(deps, caller, data, idempotencyOf(deps, c, caller, raw)));
  });
}

import { DesktopLeaseRequest } from "@deskgate/contracts";
import type { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { requireKey } from "../middleware/auth.ts";
import { readJsonBody } from "../middleware/json-body.ts";
import { acceptDesktopLease } from "../services/desktop-lease.ts";
import { idempotencyOf, respond } from "./respond.ts";

/** POST /api/desktop/lease — async: the outcome is the callback. */
export function registerDesktopLease(app: Hono, deps: ApiDeps): void {
  app.post("/api/desktop/lease", requireKey(deps, "desktop"), async (c) => {
    const { data, raw } = await readJsonBody(c, DesktopLeaseRequest);
    const caller = c.get("caller");
    return respond(c, await acceptDesktopLease(deps, caller, data, idempotencyOf(deps, c, caller, raw)));
  });
}

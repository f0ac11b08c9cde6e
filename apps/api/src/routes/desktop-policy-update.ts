import { PolicyUpdateRequest } from "@deskgate/contracts";
import type { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { requireKey } from "../middleware/auth.ts";
import { readJsonBody } from "../middleware/json-body.ts";
import { updatePolicy } from "../services/policy-update.ts";
import { idempotencyOf, respond } from "./respond.ts";

/** POST /api/desktop/policy-update — seed §3; SPEC 2.3. Sync, or async with callback_url. */
export function registerDesktopPolicyUpdate(app: Hono, deps: ApiDeps): void {
  app.post("/api/desktop/policy-update", requireKey(deps, "desktop"), async (c) => {
    const { data, raw } = await readJsonBody(c, PolicyUpdateRequest);
    const caller = c.get("caller");
    return respond(c, await updatePolicy(deps, caller, data, idempotencyOf(deps, c, caller, raw)));
  });
}

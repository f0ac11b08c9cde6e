import { PwdResetRequest } from "@deskgate/contracts";
import type { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { requireKey } from "../middleware/auth.ts";
import { readJsonBody } from "../middleware/json-body.ts";
import { resetPassword } from "../services/pwd-reset.ts";
import { idempotencyOf, respond } from "./respond.ts";

/** POST /api/user/pwd-reset — seed §4; SPEC 2.4. Sync; the answer carries the password. */
export function registerUserPwdReset(app: Hono, deps: ApiDeps): void {
  app.post("/api/user/pwd-reset", requireKey(deps, "desktop"), async (c) => {
    const { data, raw } = await readJsonBody(c, PwdResetRequest);
    const caller = c.get("caller");
    c.header("Cache-Control", "no-store");
    return respond(c, await resetPassword(deps, caller, data, idempotencyOf(deps, c, caller, raw)));
  });
}

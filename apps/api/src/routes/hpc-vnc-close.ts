import type { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { requireKey } from "../middleware/auth.ts";
import { closeVnc } from "../services/vnc.ts";
import { accountParam } from "./hpc-vnc-list.ts";
import { idempotencyOf, respond } from "./respond.ts";

/** DELETE /api/hpc/{account}/vnc/{sessionId} — SPEC 2.8. Sync; closing a gone session succeeds. */
export function registerHpcVncClose(app: Hono, deps: ApiDeps): void {
  app.delete("/api/hpc/:account/vnc/:sessionId", requireKey(deps, "hpc"), async (c) => {
    const account = accountParam(c.req.param("account"));
    const sessionId = c.req.param("sessionId");
    if (!/^[A-Za-z0-9._:-]{1,128}$/.test(sessionId)) {
      throw new ApiError(
        "invalid_request",
        "sessionId: may contain only letters, digits, '.', '_', ':' and '-'",
      );
    }
    const caller = c.get("caller");
    return respond(
      c,
      await closeVnc(deps, caller, account, sessionId, idempotencyOf(c, caller, { account, sessionId })),
    );
  });
}

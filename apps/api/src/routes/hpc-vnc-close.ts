import { VncSessionId } from "@deskgate/contracts";
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
    const parsed = VncSessionId.safeParse(sessionId);
    if (!parsed.success)
      throw new ApiError("invalid_request", `sessionId: ${parsed.error.issues[0]?.message}`);
    const caller = c.get("caller");
    return respond(
      c,
      await closeVnc(
        deps,
        caller,
        account,
        sessionId,
        idempotencyOf(deps, c, caller, { account, sessionId }),
      ),
    );
  });
}

import type { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { requireKey } from "../middleware/auth.ts";
import { openVnc } from "../services/vnc.ts";
import { accountParam } from "./hpc-vnc-list.ts";
import { idempotencyOf, respond } from "./respond.ts";

/** PUT /api/hpc/{account}/vnc — SPEC 2.8. Sync: the session (seed 001 fields) and its launch URL. */
export function registerHpcVncOpen(app: Hono, deps: ApiDeps): void {
  app.put("/api/hpc/:account/vnc", requireKey(deps, "hpc"), async (c) => {
    const account = accountParam(c.req.param("account"));
    const caller = c.get("caller");
    return respond(c, await openVnc(deps, caller, account, idempotencyOf(deps, c, caller, { account })));
  });
}

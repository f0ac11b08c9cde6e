import { HpcAccountName } from "@deskgate/contracts";
import type { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { requireKey } from "../middleware/auth.ts";
import { listVnc } from "../services/vnc.ts";
import { respond } from "./respond.ts";

export function accountParam(value: string): string {
  const parsed = HpcAccountName.safeParse(value);
  if (!parsed.success) throw new ApiError("invalid_request", `account: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** GET /api/hpc/{account}/vnc — SPEC 2.8. Sync: the account's sessions; `status` a number. */
export function registerHpcVncList(app: Hono, deps: ApiDeps): void {
  app.get("/api/hpc/:account/vnc", requireKey(deps, "hpc"), async (c) => {
    return respond(c, await listVnc(deps, c.get("caller"), accountParam(c.req.param("account"))));
  });
}

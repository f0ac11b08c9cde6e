import { UserLockRequest } from "@deskgate/contracts";
import type { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { requireKey } from "../middleware/auth.ts";
import { readJsonBody } from "../middleware/json-body.ts";
import { setUserLock } from "../services/user-lock.ts";
import { idempotencyOf, respond } from "./respond.ts";

/** POST /api/user/lock and /api/user/unlock — sync, or async with callback_url. */
export function registerUserLock(app: Hono, deps: ApiDeps): void {
  for (const [path, locked] of [
    ["/api/user/lock", true],
    ["/api/user/unlock", false],
  ] as const) {
    app.post(path, requireKey(deps, "desktop"), async (c) => {
      const { data, raw } = await readJsonBody(c, UserLockRequest);
      const caller = c.get("caller");
      return respond(c, await setUserLock(deps, caller, locked, data, idempotencyOf(deps, c, caller, raw)));
    });
  }
}

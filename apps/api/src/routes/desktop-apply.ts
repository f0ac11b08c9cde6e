import { ApplyRequest } from "@deskgate/contracts";
import type { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { requireKey } from "../middleware/auth.ts";
import { readJsonBody } from "../middleware/json-body.ts";
import { acceptApply } from "../services/apply.ts";
import { idempotencyOf, respond } from "./respond.ts";

/** POST /api/desktop/apply — seed §1; SPEC 2.1. Answers at once with the task id. */
export function registerDesktopApply(app: Hono, deps: ApiDeps): void {
  app.post("/api/desktop/apply", requireKey(deps, "desktop"), async (c) => {
    const { data, raw } = await readJsonBody(c, ApplyRequest);
    const caller = c.get("caller");
    return respond(c, await acceptApply(deps, caller, data, idempotencyOf(deps, c, caller, raw)));
  });
}

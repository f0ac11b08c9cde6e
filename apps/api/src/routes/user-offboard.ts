import { UserOffboardRequest } from "@deskgate/contracts";
import type { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { requireKey } from "../middleware/auth.ts";
import { readJsonBody } from "../middleware/json-body.ts";
import { acceptUserOffboard } from "../services/user-offboard.ts";
import { idempotencyOf, respond } from "./respond.ts";

/** POST /api/user/offboard — offboarding (lock, delete desktops, close VNC, delete user); async: the outcome is the callback. */
export function registerUserOffboard(app: Hono, deps: ApiDeps): void {
  app.post("/api/user/offboard", requireKey(deps, "desktop"), async (c) => {
    const { data, raw } = await readJsonBody(c, UserOffboardRequest);
    const caller = c.get("caller");
    return respond(c, await acceptUserOffboard(deps, caller, data, idempotencyOf(deps, c, caller, raw)));
  });
}

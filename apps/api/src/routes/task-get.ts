import type { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { requireKey } from "../middleware/auth.ts";
import { getTaskOutcome } from "../services/task-view.ts";
import { respond } from "./respond.ts";

/** GET /api/tasks/{task_id} — SPEC 2.7. Any scope; a key sees its own tasks (admin: all). */
export function registerTaskGet(app: Hono, deps: ApiDeps): void {
  app.get("/api/tasks/:task_id", requireKey(deps, "any"), async (c) => {
    return respond(c, await getTaskOutcome(deps, c.get("caller"), c.req.param("task_id")));
  });
}

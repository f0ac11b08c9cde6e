import { ApplyRequest, ok } from "@deskgate/contracts";
import type { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { readJson } from "../middleware/json-body.ts";
import { acceptApply } from "../services/apply.ts";

/** POST /api/desktop/apply — seed §1; SPEC 2.1. Answers at once with the task id. */
export function registerDesktopApply(app: Hono, deps: ApiDeps): void {
  app.post("/api/desktop/apply", async (c) => {
    const input = await readJson(c, ApplyRequest);
    const outcome = await acceptApply(deps, input, { apiKeyId: null });
    switch (outcome.kind) {
      case "accepted":
        return c.json(ok({ task_id: outcome.taskId }, "string"), 200);
      case "rejected":
        throw new ApiError("invalid_request", outcome.message);
      default:
        return outcome satisfies never;
    }
  });
}

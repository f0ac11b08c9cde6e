import { Username } from "@deskgate/contracts";
import type { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { requireKey } from "../middleware/auth.ts";
import { desktopsOfUser } from "../services/lookups.ts";
import { respond } from "./respond.ts";

/** GET /api/user/{username}/desktops — seed §5; SPEC 2.5. `status` is a number. */
export function registerUserDesktops(app: Hono, deps: ApiDeps): void {
  app.get("/api/user/:username/desktops", requireKey(deps, "desktop"), async (c) => {
    const username = c.req.param("username");
    const parsed = Username.safeParse(username);
    if (!parsed.success)
      throw new ApiError("invalid_request", `username: ${parsed.error.issues[0]?.message}`);
    return respond(c, await desktopsOfUser(deps, c.get("caller"), username));
  });
}

import type { SimContext } from "../context.ts";
import { noContent, readBody, reqString } from "../http.ts";
import type { RouteDef } from "../routes.ts";
import { checkPassword, setPassword } from "./user-rules.ts";
import { findUser } from "./users.ts";

/**
 * SIMULATOR EXTENSION — the real Huawei Workspace API has no such call (UPSTREAM-VDI 5.3).
 *
 * `PUT /v2/{project_id}/users/{user_id}/x-deskgate-password {"password"}` → 204 sets a password
 * of the caller's choice, under the same rules as user creation (WKS.00170101/102/103).
 * It exists so deskgate can exercise its `canSetPassword` path (SPEC 4); start the simulator
 * with `setPasswordExtension: false` to be faithful to the real platform (the route is then 404).
 */
export function passwordExtensionRoutes(ctx: SimContext): RouteDef[] {
  return [
    {
      method: "PUT",
      path: "/users/:user_id/x-deskgate-password",
      handler: async (c) => {
        const user = findUser(ctx, c.req.param("user_id")!);
        const password = reqString(await readBody(c), "password");
        checkPassword(password, user.user_name, [user.password, ...user.password_history].filter(Boolean));
        setPassword(user, password);
        return noContent(c);
      },
    },
  ];
}

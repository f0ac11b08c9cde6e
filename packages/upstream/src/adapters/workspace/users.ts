import { UpstreamError } from "../../errors.ts";
import type { DesktopPlatform } from "../../port.ts";
import { seg, unlessNotFound, type WsCall } from "./client.ts";
import type { WsUser } from "./types.ts";

type UserMethods = Pick<
  DesktopPlatform,
  "findUser" | "createUser" | "deleteUser" | "setPassword" | "generatePassword"
>;

/** Users are synchronous on Workspace (§2.1): 201 {id}, 204; an unknown user is 400 WKS.00170312. */
export function userMethods(call: WsCall, canSetPassword: boolean): UserMethods {
  return {
    async findUser(name) {
      // The user_name filter is not documented as exact (the simulator: substring): filter here.
      for (let offset = 0; ; offset += 100) {
        const q = new URLSearchParams({ user_name: name, limit: "100", offset: String(offset) });
        const data = await call<{ users?: WsUser[]; total_count?: number }>(
          "find user",
          "GET",
          `/users?${q}`,
        );
        const users = data.users ?? [];
        const user = users.find((u) => u.user_name === name);
        if (user) return { id: user.id, name: user.user_name, locked: user.locked === true };
        if (users.length < 100) return null;
      }
    },

    async createUser(name, password) {
      const data = await call<{ id: string }>("create user", "POST", "/users", {
        user_name: name,
        active_type: "ADMIN_ACTIVATE",
        password,
        account_expires: "0",
        enable_change_password: true,
        next_login_change_password: true,
        description: "managed by deskgate",
      });
      return { id: data.id, name, locked: false };
    },

    async deleteUser(id) {
      await unlessNotFound(() => call("delete user", "DELETE", `/users/${seg(id)}`), undefined);
    },

    async setPassword(userId, password) {
      if (!canSetPassword) {
        throw new UpstreamError({
          message:
            "set password: this platform cannot set a chosen password (Huawei Workspace only generates one); " +
            "leave the password empty to get a generated one",
          transient: false,
          reason: "invalid",
        });
      }
      // Simulator extension (SPEC 4); the real platform has no such call (UPSTREAM-VDI §5.3).
      await call("set password", "PUT", `/users/${seg(userId)}/x-deskgate-password`, { password });
    },

    async generatePassword(userId) {
      // deskgate's users are ADMIN_ACTIVATE: no notification_type (it is for USER_ACTIVATE users).
      const data = await call<{ password?: string }>(
        "generate password",
        "GET",
        `/users/${seg(userId)}/random-password`,
      );
      if (!data.password) {
        throw new UpstreamError({
          message: "generate password: the platform returned no password",
          transient: false,
          reason: "unknown",
        });
      }
      return data.password;
    },
  };
}

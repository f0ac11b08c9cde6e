import type { SimContext } from "../context.ts";
import { badRequest, VDI, vdiError } from "../errors.ts";
import {
  noContent,
  oneOf,
  optArray,
  optBool,
  optString,
  paginate,
  readBody,
  readPage,
  reqString,
} from "../http.ts";
import { hex32, uuid } from "../random.ts";
import type { RouteDef } from "../routes.ts";
import type { ActiveType, UserRecord } from "../state.ts";
import { checkQuota } from "./quotas.ts";
import { checkPassword, checkUserName, randomPassword, setPassword } from "./user-rules.ts";
import { userView } from "./views.ts";

/** 400 WKS.00170312 is what Workspace answers for an unknown or deleted user. */
export function findUser(ctx: SimContext, userId: string): UserRecord {
  const user = ctx.state.users.get(userId);
  if (!user) throw vdiError(400, VDI.userNotFound, `The user does not exist: ${userId}.`);
  return user;
}

/** User names are unique regardless of case, as in AD. */
export function findUserByName(ctx: SimContext, name: string): UserRecord | undefined {
  const lower = name.toLowerCase();
  for (const user of ctx.state.users.values()) if (user.user_name.toLowerCase() === lower) return user;
  return undefined;
}

function desktopCount(ctx: SimContext, userId: string): number {
  let n = 0;
  for (const d of ctx.state.desktops.values()) if (d.user_id === userId) n += 1;
  return n;
}

function view(ctx: SimContext, user: UserRecord) {
  return userView(user, desktopCount(ctx, user.id));
}

export function userRoutes(ctx: SimContext): RouteDef[] {
  return [
    {
      method: "POST",
      path: "/users",
      handler: async (c) => c.json({ id: createUser(ctx, await readBody(c)).id }, 201),
    },
    {
      method: "GET",
      path: "/users",
      handler: (c) => {
        const name = c.req.query("user_name")?.toLowerCase() ?? "";
        const exact = (c.req.query("user_names") ?? "").split(",").filter(Boolean);
        const matches = [...ctx.state.users.values()].filter(
          (u) =>
            u.user_name.toLowerCase().includes(name) && (exact.length === 0 || exact.includes(u.user_name)),
        );
        const page = readPage(c, null, 1000);
        return c.json({
          total_count: matches.length,
          users: paginate(matches, page).map((u) => view(ctx, u)),
        });
      },
    },
    {
      method: "GET",
      path: "/users/:user_id",
      handler: (c) => c.json({ user_detail: view(ctx, findUser(ctx, c.req.param("user_id")!)) }),
    },
    {
      method: "DELETE",
      path: "/users/:user_id",
      handler: (c) => {
        ctx.state.users.delete(findUser(ctx, c.req.param("user_id")!).id);
        return noContent(c);
      },
    },
    {
      method: "GET",
      path: "/users/:user_id/random-password",
      handler: (c) => {
        const user = findUser(ctx, c.req.param("user_id")!);
        if (user.active_type === "USER_ACTIVATE" && !c.req.query("notification_type")) {
          throw badRequest("Invalid parameter: notification_type is required for USER_ACTIVATE users.");
        }
        const password = randomPassword(user);
        setPassword(user, password);
        return c.json({ password });
      },
    },
    {
      method: "POST",
      path: "/users/:user_id/actions",
      handler: async (c) => {
        const user = findUser(ctx, c.req.param("user_id")!);
        const body = await readBody(c);
        const op = oneOf(reqString(body, "op_type"), ["LOCK", "UNLOCK", "RESET_PWD"] as const, "op_type");
        if (op === "RESET_PWD" && !user.user_email && !user.user_phone) {
          throw badRequest("RESET_PWD needs an email or phone; use random-password for this user.");
        }
        if (op !== "RESET_PWD") user.locked = op === "LOCK";
        return noContent(c);
      },
    },
  ];
}

function createUser(ctx: SimContext, body: Record<string, unknown>): UserRecord {
  const name = reqString(body, "user_name", "user_name", 32);
  checkUserName(name);
  const activeType: ActiveType = oneOf(
    optString(body, "active_type") ?? "USER_ACTIVATE",
    ["USER_ACTIVATE", "ADMIN_ACTIVATE"] as const,
    "active_type",
  );
  const email = optString(body, "user_email", "user_email", 64) ?? "";
  const phone = optString(body, "user_phone", "user_phone", 20) ?? "";
  const password = optString(body, "password") ?? "";
  if (email && !/^[^@\s]+@[^@\s]+$/.test(email))
    throw badRequest("Invalid parameter: user_email is not an email address.");
  if (activeType === "ADMIN_ACTIVATE" && !password) {
    throw badRequest("Invalid parameter: password is required when active_type is ADMIN_ACTIVATE.");
  }
  if (activeType === "USER_ACTIVATE" && !email && !phone) {
    throw badRequest(
      "Invalid parameter: user_email or user_phone is required when active_type is USER_ACTIVATE.",
    );
  }
  if (password) checkPassword(password, name);
  const groupIds = optArray(body, "group_ids", "group_ids", 5) ?? [];
  const user: UserRecord = {
    id: hex32(),
    sid: uuid(),
    user_name: name,
    user_email: email,
    user_phone: phone,
    active_type: activeType,
    password: activeType === "ADMIN_ACTIVATE" ? password : "",
    password_history: [],
    locked: false,
    disabled: false,
    account_expires: optString(body, "account_expires") ?? "0",
    enable_change_password: optBool(body, "enable_change_password") ?? true,
    next_login_change_password: optBool(body, "next_login_change_password") ?? true,
    description: optString(body, "description", "description", 255) ?? "",
    alias_name: optString(body, "alias_name", "alias_name", 32) ?? "",
    group_ids: groupIds.map(String),
    created: new Date(),
  };
  if (findUserByName(ctx, name))
    throw vdiError(409, VDI.userExists, `The user name already exists: ${name}.`);
  checkQuota(ctx, { users: 1 });
  ctx.state.users.set(user.id, user);
  return user;
}

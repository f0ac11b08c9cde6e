import type { Context, Hono } from "hono";
import type { SimContext } from "./context.ts";
import type { Platform } from "./faults.ts";
import { gate } from "./gate.ts";

export type Method = "GET" | "POST" | "PUT" | "DELETE";

export interface RouteDef {
  method: Method;
  /** Hono path relative to the platform's base, e.g. `/users/:user_id`. */
  path: string;
  handler: (c: Context) => Response | Promise<Response>;
}

/** `POST /v2/:project_id/users/:user_id` → `POST /v2/{p}/users/{user_id}` (the key of `stats.by_route`). */
export function routeKey(method: Method, path: string): string {
  return `${method} ${path.replace(":project_id", "{p}").replace(/:([A-Za-z_]\w*)/g, "{$1}")}`;
}

/** Registers platform routes behind the fault gate. */
export function mountRoutes(
  app: Hono,
  ctx: SimContext,
  platform: Platform,
  base: string,
  defs: RouteDef[],
): void {
  for (const def of defs) {
    const path = base + def.path;
    app.on(def.method, path, gate(ctx, platform, routeKey(def.method, path)), def.handler);
  }
}

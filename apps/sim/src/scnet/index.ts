import type { Hono } from "hono";
import type { SimContext } from "../context.ts";
import { mountRoutes } from "../routes.ts";
import { tokenRoutes } from "./tokens.ts";
import { vncRoutes } from "./vnc.ts";

/** SCNet (Sugon AC OpenAPI 2.0): tokens and center under `/ac`, VNC sessions under `/hpc` (SPEC 2.8). */
export function mountScnet(app: Hono, ctx: SimContext): void {
  mountRoutes(app, ctx, "scnet", "", [...tokenRoutes(ctx), ...vncRoutes(ctx)]);
}

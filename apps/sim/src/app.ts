import { Hono } from "hono";
import { mountIam } from "./auth/index.ts";
import type { SimContext } from "./context.ts";
import { mountControl } from "./control.ts";
import { ApiError, scnetBody, VDI } from "./errors.ts";
import { uuid } from "./random.ts";
import { mountScnet } from "./scnet/index.ts";
import { mountVdi } from "./vdi/index.ts";

/** The Hono app: request ids and counting, the control surface, both platforms, error mapping. */
export function buildApp(ctx: SimContext, reset: () => void): Hono {
  const app = new Hono();
  app.use("*", async (c, next) => {
    c.header("X-Request-Id", uuid());
    if (!c.req.path.startsWith("/_sim/")) ctx.stats.requests += 1;
    await next();
  });
  mountControl(app, ctx, reset);
  mountIam(app, ctx);
  mountVdi(app, ctx);
  mountScnet(app, ctx);
  app.notFound((c) =>
    c.json(
      {
        error_code: VDI.noRoute,
        error_msg: "The API does not exist or has not been published in the environment.",
      },
      404,
    ),
  );
  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json(error.body, error.status);
    console.error("simulator: unhandled error", error);
    if (/^\/(ac|hpc|api)\//.test(c.req.path)) return c.json(scnetBody("10001"), 500);
    return c.json({ error_code: VDI.injected, error_msg: "Internal server error." }, 500);
  });
  return app;
}

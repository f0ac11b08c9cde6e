import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { ApiDeps } from "./deps.ts";
import { ApiError, errorResponse, isDatabaseDown } from "./errors.ts";
import { limitBody } from "./middleware/body-limit.ts";
import { languageFor } from "./middleware/language.ts";
import { requestMetrics } from "./middleware/metrics.ts";
import { requestLog } from "./middleware/request-log.ts";
import { registerDocs } from "./openapi/docs.ts";
import { registerOps } from "./ops/routes.ts";
import { registerDesktopApply } from "./routes/desktop-apply.ts";
import { registerDesktopDelete } from "./routes/desktop-delete.ts";
import { registerDesktopLease } from "./routes/desktop-lease.ts";
import { registerDesktopPolicyUpdate } from "./routes/desktop-policy-update.ts";
import { registerDesktopPower } from "./routes/desktop-power.ts";
import { registerDesktopRebuild } from "./routes/desktop-rebuild.ts";
import { registerDesktopResourceUpdate } from "./routes/desktop-resource-update.ts";
import { registerDesktopVolumes } from "./routes/desktop-volumes.ts";
import { registerHealth } from "./routes/health.ts";
import { registerHpcVncClose } from "./routes/hpc-vnc-close.ts";
import { registerHpcVncList } from "./routes/hpc-vnc-list.ts";
import { registerHpcVncOpen } from "./routes/hpc-vnc-open.ts";
import { REST_ROUTES } from "./routes/table.ts";
import { registerTaskGet } from "./routes/task-get.ts";
import { registerUserDesktops } from "./routes/user-desktops.ts";
import { registerUserLock } from "./routes/user-lock.ts";
import { registerUserOffboard } from "./routes/user-offboard.ts";
import { registerUserPwdReset } from "./routes/user-pwd-reset.ts";
import { mountTrpc } from "./trpc/mount.ts";

/**
 * The api: the seed's REST paths, the tRPC router at /trpc, OpenAPI at /openapi.json and
 * /docs. Every REST answer — success, rejection, unknown route, wrong method, oversized
 * body, crash — is the endpoint's envelope, never a framework page.
 */
export function createApp(deps: ApiDeps): Hono {
  const app = new Hono();

  app.use(requestId({ headerName: "X-Request-Id", limitLength: 200 }));
  app.use(requestLog(deps.logger));
  if (deps.metrics) app.use(requestMetrics(deps.metrics));
  for (const prefix of ["/api/*", "/trpc/*"]) {
    app.use(
      prefix,
      limitBody(deps.bodyLimitBytes, (c) => errorResponse(c, "payload_too_large", undefined, languageFor(c))),
    );
  }

  registerHealth(app, deps);
  registerDesktopApply(app, deps);
  registerDesktopResourceUpdate(app, deps);
  registerDesktopPolicyUpdate(app, deps);
  registerUserPwdReset(app, deps);
  registerDesktopDelete(app, deps);
  registerDesktopLease(app, deps);
  registerUserLock(app, deps);
  registerDesktopPower(app, deps);
  registerDesktopRebuild(app, deps);
  registerUserOffboard(app, deps);
  registerUserDesktops(app, deps);
  registerDesktopVolumes(app, deps);
  registerTaskGet(app, deps);
  registerHpcVncOpen(app, deps);
  registerHpcVncList(app, deps);
  registerHpcVncClose(app, deps);
  // A known path with a method it does not serve → 405 with Allow, in the envelope.
  for (const route of REST_ROUTES) {
    app.all(route.path, (c) => {
      const allow = [...route.methods, ...(route.methods.includes("GET" as never) ? ["HEAD"] : [])].join(
        ", ",
      );
      return errorResponse(c, "method_not_allowed", undefined, languageFor(c), { Allow: allow });
    });
  }
  mountTrpc(app, deps);
  registerDocs(app);
  registerOps(app, deps);

  app.notFound((c) =>
    errorResponse(c, "not_found", `No route for ${c.req.method} ${c.req.path}`, languageFor(c)),
  );
  app.onError((error, c) => {
    const lang = languageFor(c);
    if (error instanceof ApiError) return errorResponse(c, error.code, error.text, lang, error.headers);
    if (isDatabaseDown(error))
      return errorResponse(c, "unavailable", undefined, lang, { "Retry-After": "5" });
    deps.logger.error(
      { err: error, request_id: c.get("requestId"), key_name: c.get("caller")?.name, path: c.req.path },
      "unhandled error",
    );
    return errorResponse(c, "internal", undefined, lang);
  });
  return app;
}

import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import type { ApiDeps } from "./deps.ts";
import { ApiError, errorResponse } from "./errors.ts";
import { languageFor } from "./middleware/language.ts";
import { registerDesktopApply } from "./routes/desktop-apply.ts";

/**
 * The api: the seed's REST paths. Every answer — success, rejection, unknown route,
 * oversized body, crash — is the endpoint's envelope, never a framework page.
 */
export function createApp(deps: ApiDeps): Hono {
  const app = new Hono();

  app.use(requestId({ headerName: "X-Request-Id", limitLength: 200 }));
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: deps.bodyLimitBytes,
      onError: (c) => errorResponse(c, "payload_too_large", undefined, languageFor(c)),
    }),
  );

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  registerDesktopApply(app, deps);

  app.notFound((c) =>
    errorResponse(c, "not_found", `No route for ${c.req.method} ${c.req.path}`, languageFor(c)),
  );
  app.onError((error, c) => {
    const lang = languageFor(c);
    if (error instanceof ApiError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      return errorResponse(c, error.code, error.message, lang);
    }
    if (isDatabaseDown(error)) return errorResponse(c, "unavailable", undefined, lang);
    deps.logger.error({ err: error, request_id: c.get("requestId"), path: c.req.path }, "unhandled error");
    return errorResponse(c, "internal", undefined, lang);
  });
  return app;
}

function isDatabaseDown(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return (
    code === "ECONNREFUSED" ||
    code === "CONNECTION_CLOSED" ||
    code === "CONNECTION_ENDED" ||
    code === "CONNECT_TIMEOUT" ||
    code === "57P01" ||
    code === "57P03"
  );
}

import type { Logger } from "@deskgate/runtime";
import type { MiddlewareHandler } from "hono";

/** One JSON line per request, bound to its request id and the key's name (never the key). */
export function requestLog(logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    logger.info(
      {
        request_id: c.get("requestId"),
        key_name: c.get("caller")?.name,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      "request",
    );
  };
}

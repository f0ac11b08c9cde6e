import type { Metrics } from "@deskgate/runtime";
import type { MiddlewareHandler } from "hono";

/**
 * Count and time every request by its route pattern (`/api/task/:id`, never the raw path, so
 * the label set stays small), method and status.
 */
export function requestMetrics(metrics: Metrics): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const route = c.req.routePath;
    const method = c.req.method;
    metrics.httpRequests.inc({ route, method, status: String(c.res.status) });
    metrics.httpDuration.observe({ route, method }, (performance.now() - started) / 1000);
  };
}

import type { Context, MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { SimContext } from "./context.ts";
import { scnetBody, VDI } from "./errors.ts";
import type { FailNext, Platform } from "./faults.ts";
import { sleep, untilAborted } from "./scheduler.ts";

/**
 * Runs before every platform route: counts it, then applies the configured faults in a fixed
 * order (throttle, fail_next, timeout, error, latency) so that a seed always plays out the same.
 */
export function gate(ctx: SimContext, platform: Platform, routeKey: string): MiddlewareHandler {
  return async (c, next) => {
    const { faults, stats } = ctx;
    stats.by_route[routeKey] = (stats.by_route[routeKey] ?? 0) + 1;
    if (faults.throttled(platform)) {
      stats.throttled += 1;
      return throttled(c, platform, faults.config.rate_limit_per_s ?? 0);
    }
    const shot = faults.takeFailNext(routeKey);
    if (shot) {
      stats.faults_injected += 1;
      return failNext(c, platform, shot);
    }
    const signal = c.req.raw.signal;
    if (faults.draw(faults.config.timeout_rate)) {
      stats.faults_injected += 1;
      await untilAborted(signal);
      return new Response(null);
    }
    if (faults.draw(faults.config.error_rate)) {
      stats.faults_injected += 1;
      return serverError(c, platform, 500);
    }
    if (faults.config.latency_ms > 0 && !(await sleep(faults.config.latency_ms, signal))) {
      return new Response(null);
    }
    await next();
  };
}

function throttled(c: Context, platform: Platform, limit: number): Response {
  if (platform === "scnet") return c.json(scnetBody("10011"), 200);
  return c.json(
    {
      error_code: VDI.throttled,
      error_msg: `The throttling threshold has been reached: policy user over ratelimit,limit:${limit},time:1 second`,
    },
    429,
  );
}

function serverError(c: Context, platform: Platform, status: ContentfulStatusCode): Response {
  if (platform === "scnet") return c.json(scnetBody("10001"), status);
  return c.json(
    { error_code: VDI.injected, error_msg: `Internal server error (injected fault, HTTP ${status}).` },
    status,
  );
}

function failNext(c: Context, platform: Platform, shot: FailNext): Response {
  if (platform === "scnet") {
    if (shot.code !== null) return c.json(scnetBody(shot.code), asStatus(shot.status ?? 200));
    return serverError(c, platform, asStatus(shot.status ?? 500));
  }
  const status = asStatus(shot.status ?? 500);
  if (shot.code !== null) return c.json({ error_code: shot.code, error_msg: "Injected fault." }, status);
  if (status === 429) return throttled(c, platform, 0);
  if (status === 409) {
    return c.json({ error_code: VDI.desktopBusy, error_msg: "Operation conflict (injected fault)." }, status);
  }
  if (status >= 500) return serverError(c, platform, status);
  return c.json({ error_code: VDI.badRequest, error_msg: `Injected fault (HTTP ${status}).` }, status);
}

function asStatus(status: number): ContentfulStatusCode {
  return status as ContentfulStatusCode;
}

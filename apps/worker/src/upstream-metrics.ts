import type { Metrics } from "@deskgate/runtime";
import { isUpstreamError } from "@deskgate/upstream";

/**
 * The platform adapter, counting each call by platform, operation (method name) and result:
 * `ok`, `transient` (worth a retry) or `permanent`. Properties that are not methods (name,
 * capabilities, limits) and `close` pass through untouched.
 */
export function countUpstreamCalls<P extends { readonly name: string }>(platform: P, metrics: Metrics): P {
  return new Proxy(platform, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || typeof property !== "string" || property === "close") return value;
      return async (...args: unknown[]) => {
        const labels = { platform: target.name, operation: property };
        try {
          const result = await value.apply(target, args);
          metrics.upstreamCalls.inc({ ...labels, result: "ok" });
          return result;
        } catch (error) {
          const result = isUpstreamError(error) && error.transient ? "transient" : "permanent";
          metrics.upstreamCalls.inc({ ...labels, result });
          throw error;
        }
      };
    },
  });
}

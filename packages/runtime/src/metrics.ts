import { createHash, timingSafeEqual } from "node:crypto";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * Whether a request may read `/metrics` (issue 17.10): always when no token is configured
 * (`DESKGATE_METRICS_TOKEN` unset), else only with `Authorization: Bearer <token>` (compared in
 * constant time). Shared by the api's `/metrics` and the worker's metrics port.
 */
export function metricsAllowed(token: string | undefined, authorization: string | null | undefined): boolean {
  if (!token) return true;
  const given = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1] ?? "";
  const digest = (v: string) => createHash("sha256").update(v).digest();
  return timingSafeEqual(digest(given), digest(token));
}

/**
 * deskgate's Prometheus metrics, conventional names and labels. One registry per process
 * (api or worker), created at main.ts and passed down; `/metrics` serves `registry.metrics()`.
 */
export function createMetrics(service: "api" | "worker") {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: "deskgate_http_requests_total",
      help: "HTTP requests answered, by route, method and status code",
      labelNames: ["route", "method", "status"] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "deskgate_http_request_duration_seconds",
      help: "Time to answer an HTTP request",
      labelNames: ["route", "method"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
      registers: [registry],
    }),
    taskDuration: new Histogram({
      name: "deskgate_task_duration_seconds",
      help: "Time from a task's creation to its end, by kind and outcome",
      labelNames: ["kind", "outcome"] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: "deskgate_queue_depth",
      help: "Jobs waiting or running, by queue and state",
      labelNames: ["queue", "state"] as const,
      registers: [registry],
    }),
    callbackAttempts: new Counter({
      name: "deskgate_callback_attempts_total",
      help: "Callback delivery attempts, by outcome (delivered, failed) and error class",
      labelNames: ["outcome", "error_class"] as const,
      registers: [registry],
    }),
    upstreamCalls: new Counter({
      name: "deskgate_upstream_calls_total",
      help: "Calls to upstream platforms, by platform, operation and result (ok, transient, permanent)",
      labelNames: ["platform", "operation", "result"] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

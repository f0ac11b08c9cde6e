import type { IncomingHttpHeaders } from "node:http";
import { Agent, request } from "undici";
import type { CallbackPolicy } from "./allowlist.ts";
import type { DeliveryAttemptResult } from "./attempt-result.ts";
import { checkCallbackUrl } from "./callback-url.ts";
import { classifyTransportError, type TransportErrorClass } from "./error-class.ts";
import { createGuardedConnector } from "./guarded-connector.ts";
import { type Resolver, systemResolver } from "./guarded-lookup.ts";
import { parseRetryAfter, RESPONSE_PREFIX_BYTES, readBodyPrefix } from "./response.ts";

export const DEFAULT_DELIVERY_TIMEOUT_MS = 15_000;

export interface DeliveryRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

export interface Deliverer {
  deliver(req: DeliveryRequest): Promise<DeliveryAttemptResult>;
  close(): Promise<void>;
}

export interface DelivererOptions {
  policy: CallbackPolicy;
  /** Default: `dns.lookup(host, { all: true })`. */
  resolver?: Resolver;
  /** Whole-attempt budget: connect, response and the body prefix. Default 15 000. */
  timeoutMs?: number;
  /** Sockets per origin. Default: unlimited. */
  connections?: number;
  /** Only used to read an HTTP-date `Retry-After` when the response has no `Date`. */
  clock?: { now(): Date };
}

/**
 * POSTs callbacks through its own undici Agent whose `connect` (`createGuardedConnector`) checks
 * every resolved address against the policy for the port being connected to, and connects to
 * exactly those. Every URL is checked here first too (`checkCallbackUrl`, the request-time check,
 * with the policy of now). `undici.request` never follows redirects: a 3xx is a failed attempt
 * like any other non-2xx.
 */
export function createDeliverer(opts: DelivererOptions): Deliverer {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  const clock = opts.clock ?? { now: () => new Date() };
  const agent = new Agent({
    connect: createGuardedConnector(opts.policy, opts.resolver ?? systemResolver, { timeout: timeoutMs }),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    ...(opts.connections === undefined ? {} : { connections: opts.connections }),
  });

  async function deliver(req: DeliveryRequest): Promise<DeliveryAttemptResult> {
    const startedAt = performance.now();
    const elapsed = () => Math.round(performance.now() - startedAt);

    const target = checkCallbackUrl(req.url, opts.policy);
    if (!target.ok) return failed("blocked_by_policy", elapsed(), `callback URL ${target.reason}`);

    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await request(target.url, {
        dispatcher: agent,
        method: "POST",
        headers: req.headers,
        body: req.body,
        signal,
      });
      const responsePrefix = await readBodyPrefix(response.body, RESPONSE_PREFIX_BYTES);
      const status = response.statusCode;
      const ok = status >= 200 && status < 300;
      return {
        ok,
        status,
        errorClass: ok ? null : "http_status",
        latencyMs: elapsed(),
        responsePrefix,
        retryAfterSec: parseRetryAfter(
          firstHeader(response.headers, "retry-after"),
          clock.now(),
          firstHeader(response.headers, "date"),
        ),
        gone: status === 410,
        detail: ok ? null : describeStatus(status, response.headers),
      };
    } catch (error) {
      if (signal.aborted) return failed("timeout", elapsed(), `no response within ${timeoutMs} ms`);
      return failed(classifyTransportError(error), elapsed(), describeError(error));
    }
  }

  return { deliver, close: () => agent.close() };
}

function failed(errorClass: TransportErrorClass, latencyMs: number, detail: string): DeliveryAttemptResult {
  return {
    ok: false,
    status: 0,
    errorClass,
    latencyMs,
    responsePrefix: "",
    retryAfterSec: null,
    gone: false,
    detail,
  };
}

function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function describeStatus(status: number, headers: IncomingHttpHeaders): string {
  const location = firstHeader(headers, "location");
  if (status >= 300 && status < 400 && location !== undefined) {
    return `HTTP ${status} redirect to ${location} (redirects are not followed)`;
  }
  return `HTTP ${status}`;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = "code" in error && typeof error.code === "string" ? `${error.code}: ` : "";
  return code + (error.message || error.name);
}

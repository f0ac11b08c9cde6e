import { UpstreamError } from "../../errors.ts";
import { JsonHttpClient } from "../../http.ts";
import { createRateLimiter } from "../../rate-limit.ts";
import { type RetryOptions, withRetry } from "../../retry.ts";
import { classify } from "./classify.ts";
import type { WorkspaceOptions } from "./options.ts";

/**
 * One Workspace call: method, path under `/v2/{project_id}`, optional JSON body. Every POST
 * creates or starts something (a user, a desktop, a disk, a resize job): after an ambiguous
 * failure (timeout, 5xx) it may have been applied, so it is retried here only when the platform
 * certainly refused it (429, busy); otherwise the transient error goes to the caller, whose
 * look-before-create resumes instead of making a second one.
 */
export type WsCall = <T>(what: string, method: string, path: string, body?: unknown) => Promise<T>;

const refused = (e: UpstreamError) => e.reason === "throttled" || e.reason === "busy";

export interface WsClient {
  call: WsCall;
  close(): Promise<void>;
}

/**
 * The adapter's only way out: the rate limiter (per adapter instance), a per-request timeout,
 * retries of transient failures (full jitter, Retry-After honoured) and classification of
 * every non-2xx answer (UPSTREAM-VDI §7.3).
 */
export function createWsClient(opts: WorkspaceOptions): WsClient {
  const http = new JsonHttpClient({
    timeoutMs: opts.requestTimeoutMs ?? 30_000,
    limiter: createRateLimiter(opts.ratePerSecond ?? 0, opts.rateBurst ?? 1),
  });
  const base = `${opts.baseUrl.replace(/\/+$/, "")}/v2/${encodeURIComponent(opts.projectId)}`;
  const retry: RetryOptions = { attempts: 4, baseDelayMs: 200, maxDelayMs: 5000, ...opts.retry };
  const headers = { "x-auth-token": opts.token };
  const writeRetry: RetryOptions = { ...retry, retryIf: refused };
  return {
    call: <T>(what: string, method: string, path: string, body?: unknown) =>
      withRetry(
        async () => {
          const res = await http.call(method, base + path, headers, body);
          if (res.status >= 200 && res.status < 300) return res.body as T;
          throw classify(res, what);
        },
        method === "POST" ? writeRetry : retry,
      ),
    close: () => http.close(),
  };
}

/** Runs `fn`; a not-found answer becomes `fallback` (deletes of what is gone, look-ups of what is not there). */
export async function unlessNotFound<T, F>(fn: () => Promise<T>, fallback: F): Promise<T | F> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof UpstreamError && e.reason === "not_found") return fallback;
    throw e;
  }
}

export const GIB = 1024 ** 3;
export const MIB = 1024 ** 2;

export function permanent(message: string, reason: "invalid" | "not_found" = "invalid"): UpstreamError {
  return new UpstreamError({ message, transient: false, reason });
}

export function seg(id: string): string {
  return encodeURIComponent(id);
}

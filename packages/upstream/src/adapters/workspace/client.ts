import { systemClock } from "@deskgate/runtime";
import { UpstreamError } from "../../errors.ts";
import { JsonHttpClient } from "../../http.ts";
import { createRateLimiter } from "../../rate-limit.ts";
import { type RetryOptions, withRetry } from "../../retry.ts";
import { createAuthenticator } from "./auth/index.ts";
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
 * every non-2xx answer (UPSTREAM-VDI §7.3). Each attempt is authenticated afresh (signed at
 * its own time, or with the current IAM token); a 401 to an IAM token renews it once and the
 * request is sent once more.
 */
export function createWsClient(opts: WorkspaceOptions): WsClient {
  const http = new JsonHttpClient({
    timeoutMs: opts.requestTimeoutMs ?? 30_000,
    limiter: createRateLimiter(opts.ratePerSecond ?? 0, opts.rateBurst ?? 1),
  });
  const base = `${opts.baseUrl.replace(/\/+$/, "")}/v2/${encodeURIComponent(opts.projectId)}`;
  const retry: RetryOptions = { attempts: 4, baseDelayMs: 200, maxDelayMs: 5000, ...opts.retry };
  const auth = createAuthenticator({
    auth: opts.auth ?? { mode: "token", token: opts.token ?? "" },
    projectId: opts.projectId,
    clock: opts.clock ?? systemClock,
    timeoutMs: opts.requestTimeoutMs ?? 30_000,
  });
  const writeRetry: RetryOptions = { ...retry, retryIf: refused };
  const send = async (method: string, url: string, body: string | undefined) => {
    const headers = await auth.headers({ method, url, body });
    return { headers, res: await http.call(method, url, headers, body) };
  };
  return {
    call: <T>(what: string, method: string, path: string, body?: unknown) => {
      const url = base + path;
      const text = body === undefined ? undefined : JSON.stringify(body);
      return withRetry(
        async () => {
          let { headers, res } = await send(method, url, text);
          // A 401 was not acted on, so even a POST is safe to send again.
          if (res.status === 401 && auth.refused(headers)) ({ res } = await send(method, url, text));
          if (res.status >= 200 && res.status < 300) return res.body as T;
          throw classify(res, what);
        },
        method === "POST" ? writeRetry : retry,
      );
    },
    close: async () => {
      await Promise.all([http.close(), auth.close()]);
    },
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

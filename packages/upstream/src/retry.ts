import { isTransient, type UpstreamError } from "./errors.ts";

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * Which transient errors to retry here (default: all). A write that is not idempotent should
   * retry only failures that certainly did not apply it (throttled, refused as busy); an
   * ambiguous one (timeout, 5xx) goes back to the caller, who looks before it creates.
   */
  retryIf?: (e: UpstreamError) => boolean;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Full-jitter exponential backoff for transient upstream errors, honouring the platform's
 * Retry-After when it asks for longer. Permanent errors are rethrown at once.
 */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const random = opts.random ?? Math.random;
  const sleep = opts.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isTransient(e) || attempt >= opts.attempts) throw e;
      if (opts.retryIf && !opts.retryIf(e as UpstreamError)) throw e;
      const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (attempt - 1));
      const backoff = Math.round(random() * ceiling);
      const asked = (e as UpstreamError).retryAfterMs ?? 0;
      await sleep(Math.max(backoff, Math.min(asked, opts.maxDelayMs)));
    }
  }
}

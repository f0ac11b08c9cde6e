/**
 * Per-key rate limit: a fixed one-minute window counted in this process's memory. With N
 * api processes behind a balancer a key gets up to N × its limit (docs/api.md); a shared
 * counter needs a table (asked for in the report).
 */
export interface RateLimiter {
  /** Count one request; returns null when allowed, else the seconds until the window resets. */
  hit(keyId: string, limitPerMinute: number): number | null;
  /** Whether `keyId` is over `limitPerMinute` in this window already, without counting: as `hit`. */
  over(keyId: string, limitPerMinute: number): number | null;
}

export function createRateLimiter(opts: { now?: () => number } = {}): RateLimiter {
  const now = opts.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = 0;
  const windowOf = (t: number) => t - (t % 60_000);
  const retryAfter = (t: number, windowStart: number) =>
    Math.max(1, Math.ceil((windowStart + 60_000 - t) / 1000));
  return {
    over(keyId, limit) {
      const t = now();
      const w = windows.get(keyId);
      if (!w || w.start !== windowOf(t) || w.count < limit) return null;
      return retryAfter(t, w.start);
    },
    hit(keyId, limit) {
      const t = now();
      const windowStart = windowOf(t);
      if (windowStart !== lastSweep) {
        for (const [k, w] of windows) if (w.start < windowStart) windows.delete(k);
        lastSweep = windowStart;
      }
      let w = windows.get(keyId);
      if (!w || w.start !== windowStart) {
        w = { start: windowStart, count: 0 };
        windows.set(keyId, w);
      }
      w.count += 1;
      if (w.count <= limit) return null;
      return retryAfter(t, windowStart);
    },
  };
}

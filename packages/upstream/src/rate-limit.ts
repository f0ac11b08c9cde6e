/**
 * Client-side rate limiter, so deskgate never floods a platform: `take()` resolves when a
 * request may go. Shared by all calls of one adapter instance (per process).
 */
export interface RateLimiter {
  take(): Promise<void>;
}

export interface RateLimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: RateLimiterClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A token bucket in its "virtual scheduling" form (GCRA): every caller reserves the next free
 * slot at once, in call order, then waits for it. So waiters are served first come, first
 * served (no caller can overtake another, none starves), there is no chain of promises to
 * grow, and the bound holds exactly: in any interval of `t` seconds at most
 * `burst + perSecond·t` requests start.
 *
 * `burst` defaults to 1: requests are paced one every `1/perSecond` s, so no one-second window
 * ever holds more than `perSecond` starts (a burst of N at N/s would let 2N through in the
 * first second, and a platform that counts per second would throttle us).
 */
export function createRateLimiter(
  perSecond: number,
  burst = 1,
  clock: RateLimiterClock = realClock,
): RateLimiter {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return { take: async () => {} };
  const interval = 1000 / perSecond;
  const tolerance = Math.max(0, Math.floor(burst) - 1) * interval;
  /** Theoretical arrival time of the next request. */
  let tat = Number.NEGATIVE_INFINITY;
  return {
    async take() {
      const now = clock.now();
      const start = Math.max(now, tat - tolerance);
      tat = Math.max(tat, start) + interval;
      // Whole milliseconds (timers have no finer grain), ignoring floating-point noise.
      const wait = Math.ceil(start - now - 1e-6);
      if (wait > 0) await clock.sleep(wait);
    },
  };
}

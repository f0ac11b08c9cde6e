/**
 * Client-side token bucket, so deskgate never floods a platform: `take()` resolves when a
 * request may go. Shared by all calls of one adapter instance (per process).
 */
export interface RateLimiter {
  take(): Promise<void>;
}

export function createRateLimiter(perSecond: number, burst = Math.max(1, Math.ceil(perSecond))): RateLimiter {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return { take: async () => {} };
  let tokens = burst;
  let last = performance.now();
  let queue: Promise<void> = Promise.resolve();
  const refill = () => {
    const now = performance.now();
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * perSecond);
    last = now;
  };
  const takeOne = async () => {
    refill();
    while (tokens < 1) {
      await new Promise((r) => setTimeout(r, Math.ceil(((1 - tokens) / perSecond) * 1000)));
      refill();
    }
    tokens -= 1;
  };
  return {
    take() {
      // Serialise waiters so they are served in order.
      const next = queue.then(takeOne);
      queue = next.catch(() => {});
      return next;
    },
  };
}

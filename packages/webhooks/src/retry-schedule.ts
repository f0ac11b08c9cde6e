import type { DeliveryAttemptResult } from "./attempt-result.ts";

/**
 * Delay in seconds before attempt n+1 (index 0 is the first attempt, sent at once): Svix's hosted
 * schedule, 8 attempts, the last 27 h 35 min 05 s after the first (RELIABILITY.md 2).
 */
export const RETRY_SCHEDULE_SECONDS: readonly number[] = Object.freeze([
  0, 5, 300, 1800, 7200, 18000, 36000, 36000,
]);

/** Jitter only lengthens: × U[1.0, 1.2], so the schedule never ends before 24 h. */
const MAX_JITTER = 0.2;
/** A timed-out or throttled (429) receiver gets at least this long to recover. */
const SLOW_DOWN_FLOOR_SEC = 60;

/**
 * Seconds to wait before the next attempt, given how many attempts were made (≥ 1) and the last
 * result; `null` means stop: delivered, 410 Gone, or the schedule is used up. `Retry-After` is
 * honoured within [delay, 2 × delay]. Always whole seconds (pg-boss `startAfter`).
 */
export function nextRetryDelaySec(
  attemptsMade: number,
  last: DeliveryAttemptResult,
  random: () => number = Math.random,
): number | null {
  if (!Number.isInteger(attemptsMade) || attemptsMade < 1) {
    throw new RangeError(`attemptsMade must be an integer ≥ 1, got ${attemptsMade}`);
  }
  if (last.ok || last.gone) return null;
  const nominal = RETRY_SCHEDULE_SECONDS[attemptsMade];
  if (nominal === undefined) return null;

  const jitter = Math.min(1, Math.max(0, random()));
  let delay = nominal * (1 + MAX_JITTER * jitter);
  if (last.errorClass === "timeout" || last.status === 429) delay = Math.max(delay, SLOW_DOWN_FLOOR_SEC);
  if (last.retryAfterSec !== null) delay = Math.min(Math.max(last.retryAfterSec, delay), 2 * delay);
  // Round to the millisecond first so float noise (300 × 1.2 = 360.00000000000006) cannot add a second.
  return Math.ceil(Math.round(delay * 1000) / 1000);
}

/**
 * The schedule with every delay multiplied by `scale` (0 < scale ≤ 1), for drills and tests
 * that must watch a receiver come back after "an hour" in seconds (`DESKGATE_CALLBACK_RETRY_SCALE`).
 * Scale 1 is `nextRetryDelaySec` itself. A scaled delay is never below 1 s (pg-boss `startAfter`
 * is in whole seconds); the number of attempts and when to stop do not change.
 */
export function scaledRetryDelaySec(scale: number): typeof nextRetryDelaySec {
  if (!(scale > 0 && scale <= 1)) throw new RangeError(`scale must be in (0, 1], got ${scale}`);
  if (scale === 1) return nextRetryDelaySec;
  return (attemptsMade, last, random) => {
    const delay = nextRetryDelaySec(attemptsMade, last, random);
    return delay === null ? null : Math.max(1, Math.ceil(delay * scale));
  };
}

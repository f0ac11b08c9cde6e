import { describe, expect, it } from "vitest";
import {
  type DeliveryAttemptResult,
  nextRetryDelaySec,
  RETRY_SCHEDULE_SECONDS,
  scaledRetryDelaySec,
} from "../src/index.ts";

const failure = (overrides: Partial<DeliveryAttemptResult> = {}): DeliveryAttemptResult => ({
  ok: false,
  status: 500,
  errorClass: "http_status",
  latencyMs: 12,
  responsePrefix: "",
  retryAfterSec: null,
  gone: false,
  detail: "HTTP 500",
  ...overrides,
});

const noJitter = () => 0;
const maxJitter = () => 1;

/** mulberry32: a small seeded PRNG, so the property loop is reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("RETRY_SCHEDULE_SECONDS", () => {
  it("is Svix's schedule: 8 attempts, the last 27 h 35 min 05 s after the first", () => {
    expect(RETRY_SCHEDULE_SECONDS).toEqual([0, 5, 300, 1800, 7200, 18000, 36000, 36000]);
    const total = RETRY_SCHEDULE_SECONDS.reduce((sum, delay) => sum + delay, 0);
    expect(total).toBe(27 * 3600 + 35 * 60 + 5);
    expect(total).toBeGreaterThanOrEqual(24 * 3600);
  });
});

describe("nextRetryDelaySec", () => {
  it("follows the schedule without jitter, then gives up after the 8th attempt", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((made) => nextRetryDelaySec(made, failure(), noJitter));
    expect(delays).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
    expect(nextRetryDelaySec(8, failure(), noJitter)).toBeNull();
    expect(nextRetryDelaySec(9, failure(), noJitter)).toBeNull();
  });

  it("jitter only lengthens, by at most 20 %, and always gives whole seconds", () => {
    const random = seededRandom(20240601);
    for (let i = 0; i < 5000; i++) {
      const made = 1 + (i % 7);
      const nominal = RETRY_SCHEDULE_SECONDS[made]!;
      const delay = nextRetryDelaySec(made, failure(), random)!;
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(nominal);
      expect(delay).toBeLessThanOrEqual(Math.ceil(nominal * 1.2));
    }
    expect(nextRetryDelaySec(2, failure(), maxJitter)).toBe(360);
  });

  it("never shortens even with a misbehaving random source", () => {
    expect(nextRetryDelaySec(3, failure(), () => -5)).toBe(1800);
    expect(nextRetryDelaySec(3, failure(), () => 7)).toBe(2160);
  });

  it("waits at least 60 s after a timeout or a 429", () => {
    const timeout = failure({ status: 0, errorClass: "timeout" });
    const throttled = failure({ status: 429 });
    expect(nextRetryDelaySec(1, timeout, noJitter)).toBe(60);
    expect(nextRetryDelaySec(1, throttled, maxJitter)).toBe(60);
    expect(nextRetryDelaySec(2, timeout, noJitter)).toBe(300);
    expect(nextRetryDelaySec(1, failure({ status: 0, errorClass: "refused" }), noJitter)).toBe(5);
  });

  it("honours Retry-After, clamped to [delay, 2 × delay]", () => {
    expect(nextRetryDelaySec(2, failure({ status: 503, retryAfterSec: 450 }), noJitter)).toBe(450);
    expect(nextRetryDelaySec(2, failure({ status: 503, retryAfterSec: 1 }), noJitter)).toBe(300);
    expect(nextRetryDelaySec(2, failure({ status: 503, retryAfterSec: 86400 }), noJitter)).toBe(600);
    expect(nextRetryDelaySec(1, failure({ status: 429, retryAfterSec: 3600 }), noJitter)).toBe(120);
    expect(nextRetryDelaySec(1, failure({ status: 429, retryAfterSec: 0 }), noJitter)).toBe(60);
  });

  it("stops on 410 Gone and after a success", () => {
    expect(nextRetryDelaySec(1, failure({ status: 410, gone: true }), noJitter)).toBeNull();
    expect(nextRetryDelaySec(1, failure({ ok: true, status: 204, errorClass: null }), noJitter)).toBeNull();
  });

  it("rejects an attempt count that cannot be right", () => {
    expect(() => nextRetryDelaySec(0, failure())).toThrow(RangeError);
    expect(() => nextRetryDelaySec(1.5, failure())).toThrow(RangeError);
  });
});

describe("scaledRetryDelaySec (DESKGATE_CALLBACK_RETRY_SCALE)", () => {
  it("is the real schedule itself at scale 1", () => {
    expect(scaledRetryDelaySec(1)).toBe(nextRetryDelaySec);
  });

  it("multiplies every delay, never below 1 s, with the same number of attempts", () => {
    const schedule = scaledRetryDelaySec(0.002);
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => schedule(n, failure(), noJitter));
    // 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h × 0.002, rounded up; then stop after the 8th.
    expect(delays).toEqual([1, 1, 4, 15, 36, 72, 72, null]);
    expect(schedule(3, failure(), maxJitter)).toBe(5); // 1800 × 1.2 × 0.002 = 4.32
    expect(schedule(1, failure({ ok: true, status: 200, errorClass: null }), noJitter)).toBeNull();
    expect(schedule(1, failure({ gone: true, status: 410 }), noJitter)).toBeNull();
  });

  it("refuses a scale outside (0, 1]", () => {
    for (const bad of [0, -0.5, 1.5, Number.NaN]) expect(() => scaledRetryDelaySec(bad)).toThrow(RangeError);
  });
});

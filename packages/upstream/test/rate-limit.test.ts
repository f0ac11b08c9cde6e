import { describe, expect, it } from "vitest";
import { createRateLimiter, type RateLimiterClock } from "../src/index.ts";

/** A manual clock: sleeps resolve when the test advances time past them. */
function manualClock() {
  let now = 0;
  let sleepers: { until: number; resolve: () => void }[] = [];
  const clock: RateLimiterClock = {
    now: () => now,
    sleep: (ms) => new Promise<void>((resolve) => sleepers.push({ until: now + ms, resolve })),
  };
  return {
    clock,
    async advance(ms: number) {
      now += ms;
      const due = sleepers.filter((s) => s.until <= now);
      sleepers = sleepers.filter((s) => s.until > now);
      for (const s of due) s.resolve();
      await new Promise((r) => setImmediate(r));
    },
  };
}

async function startTimes(perSecond: number, burst: number, callers: number, horizonMs: number) {
  const { clock, advance } = manualClock();
  const limiter = createRateLimiter(perSecond, burst, clock);
  const started: number[] = [];
  for (let i = 0; i < callers; i++) void limiter.take().then(() => started.push(clock.now()));
  await advance(0);
  for (let t = 0; t < horizonMs; t += 1) await advance(1);
  return started;
}

describe("createRateLimiter", () => {
  it("paces callers evenly at the configured rate by default (burst 1)", async () => {
    const started = await startTimes(10, 1, 25, 3000);
    expect(started).toHaveLength(25);
    expect(started).toEqual(Array.from({ length: 25 }, (_, i) => i * 100));
  });

  it("never lets more than `rate` requests start in any one-second window", async () => {
    const started = await startTimes(7, 1, 30, 5000);
    for (const t of started)
      expect(started.filter((s) => s >= t && s < t + 1000).length).toBeLessThanOrEqual(7);
  });

  it("allows a burst, then refills at the rate: at most burst + rate·t in any window t", async () => {
    const started = await startTimes(5, 3, 13, 3000);
    expect(started.slice(0, 3)).toEqual([0, 0, 0]);
    expect(started.slice(3)).toEqual([200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800, 2000]);
  });

  it("serves waiters first come, first served", async () => {
    const { clock, advance } = manualClock();
    const limiter = createRateLimiter(2, 1, clock);
    const order: number[] = [];
    for (let i = 0; i < 6; i++) void limiter.take().then(() => order.push(i));
    await advance(0);
    for (let t = 0; t < 3000; t += 10) await advance(10);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("an idle limiter does not save up more than its burst", async () => {
    const { clock, advance } = manualClock();
    const limiter = createRateLimiter(10, 1, clock);
    await advance(10_000);
    const started: number[] = [];
    for (let i = 0; i < 3; i++) void limiter.take().then(() => started.push(clock.now()));
    await advance(0);
    for (let t = 0; t < 500; t += 1) await advance(1);
    expect(started).toEqual([10_000, 10_100, 10_200]);
  });

  it("is a no-op when unlimited", async () => {
    const limiter = createRateLimiter(0);
    await Promise.all(Array.from({ length: 100 }, () => limiter.take()));
  });
});

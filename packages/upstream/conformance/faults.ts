import { describe, expect, it } from "vitest";
import { useHarness } from "./harness.ts";
import { uniqueName, upstreamError } from "./helpers.ts";
import type { ConformanceSetup } from "./types.ts";

export function faultsSuite(setup: ConformanceSetup): void {
  describe("error classification under injected faults", () => {
    const h = useHarness(setup);

    it("retries a passing server error inside the adapter", async () => {
      const { platform, faults } = h();
      await faults.inject({ kind: "server_error", count: 1 });
      expect(await platform.findUser(uniqueName("cu"))).toBeNull();
    });

    it("a lasting HTTP 500 surfaces as transient", async () => {
      const { platform, faults } = h();
      await faults.inject({ kind: "server_error" });
      const e = await upstreamError(platform.findUser(uniqueName("cu")));
      expect(e.transient).toBe(true);
      expect(e.reason).toBe("unavailable");
    });

    it('a lasting HTTP 429 surfaces as transient, reason "throttled"', async () => {
      const { platform, faults } = h();
      await faults.inject({ kind: "throttle" });
      const e = await upstreamError(platform.findUser(uniqueName("cu")));
      expect(e.transient).toBe(true);
      expect(e.reason).toBe("throttled");
    });

    it('an HTTP 404 is permanent, reason "not_found"', async () => {
      const { platform, faults } = h();
      await faults.inject({ kind: "not_found", count: 1 });
      const e = await upstreamError(platform.findUser(uniqueName("cu")));
      expect(e.transient).toBe(false);
      expect(e.reason).toBe("not_found");
    });

    it('a call that never answers times out as transient, reason "timeout"', async () => {
      const { platform, faults } = h();
      await faults.inject({ kind: "timeout" });
      const e = await upstreamError(platform.findUser(uniqueName("cu")));
      expect(e.transient).toBe(true);
      expect(e.reason).toBe("timeout");
      await faults.clear();
      expect(await platform.findUser(uniqueName("cu"))).toBeNull();
    });
  });
}

export function rateLimitSuite(setup: ConformanceSetup): void {
  const perSecond = 10;
  describe(`rate limiting (adapter at ${perSecond} req/s)`, () => {
    const h = useHarness(setup, { ratePerSecond: perSecond });

    it("never exceeds its configured rate, even when called all at once", async () => {
      const { platform, faults, stats } = h();
      // The platform enforces the same rate: a compliant adapter is never throttled.
      await faults.inject({ kind: "rate_limit", perSecond });
      const before = await stats?.();
      const calls = 2 * perSecond + 1;
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: calls }, () => platform.findUser(uniqueName("cu"))),
      );
      const elapsed = performance.now() - started;
      expect(results.every((r) => r === null)).toBe(true);
      // Even allowing a burst of a full second's worth, the rest must be paced.
      expect(elapsed).toBeGreaterThanOrEqual(((calls - perSecond) / perSecond) * 1000 * 0.95);
      const after = await stats?.();
      if (before && after) {
        expect(after.throttled - before.throttled).toBe(0);
        expect(after.requests - before.requests).toBe(calls);
      }
    });
  });
}

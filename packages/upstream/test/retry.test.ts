import { describe, expect, it } from "vitest";
import { UpstreamError, withRetry } from "../src/index.ts";

const transient = (retryAfterMs: number | null = null) =>
  new UpstreamError({ message: "busy", transient: true, reason: "busy", retryAfterMs });

describe("withRetry", () => {
  it("retries transient errors with full-jitter exponential backoff, then gives up", async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const run = withRetry(
      async () => {
        calls++;
        throw transient();
      },
      {
        attempts: 4,
        baseDelayMs: 100,
        maxDelayMs: 250,
        random: () => 0.5,
        sleep: async (ms) => void sleeps.push(ms),
      },
    );
    await expect(run).rejects.toMatchObject({ transient: true });
    expect(calls).toBe(4);
    expect(sleeps).toEqual([50, 100, 125]); // half of 100, 200, then the 250 cap
  });

  it("honours Retry-After when it asks for longer than the backoff (capped)", async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const value = await withRetry(
      async () => {
        if (++calls < 3) throw transient(calls === 1 ? 800 : 10_000);
        return "ok";
      },
      {
        attempts: 5,
        baseDelayMs: 10,
        maxDelayMs: 2000,
        random: () => 0,
        sleep: async (ms) => void sleeps.push(ms),
      },
    );
    expect(value).toBe("ok");
    expect(sleeps).toEqual([800, 2000]);
  });

  it("retries only what retryIf accepts", async () => {
    let calls = 0;
    const run = withRetry(
      async () => {
        calls++;
        throw new UpstreamError({ message: "5xx", transient: true, reason: "unavailable" });
      },
      { attempts: 5, baseDelayMs: 1, maxDelayMs: 1, retryIf: (e) => e.reason === "throttled" },
    );
    await expect(run).rejects.toMatchObject({ reason: "unavailable" });
    expect(calls).toBe(1);
  });

  it("rethrows permanent errors at once", async () => {
    let calls = 0;
    const permanent = new UpstreamError({ message: "no", transient: false, reason: "invalid" });
    await expect(
      withRetry(
        async () => {
          calls++;
          throw permanent;
        },
        { attempts: 5, baseDelayMs: 1, maxDelayMs: 1 },
      ),
    ).rejects.toBe(permanent);
    expect(calls).toBe(1);
  });
});

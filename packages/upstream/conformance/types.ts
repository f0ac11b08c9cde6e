import type { DesktopOs, DesktopPlatform } from "../src/port.ts";

/**
 * A fault the platform under test must be able to play, for the next `count` calls (absent =
 * until `clear()`): an HTTP 500, an HTTP 429, an HTTP 404, a call that never answers, or the
 * platform enforcing a rate limit of its own.
 */
export type ConformanceFault =
  | { kind: "server_error"; count?: number }
  | { kind: "throttle"; count?: number }
  | { kind: "not_found"; count?: number }
  | { kind: "timeout" }
  | { kind: "rate_limit"; perSecond: number };

/** What the kit asks of `setup`: the adapter is built with these settings. */
export interface ConformanceOptions {
  /** Client-side limit of the adapter (calls per second); absent = unlimited. */
  ratePerSecond?: number;
}

export interface ConformanceHarness {
  /**
   * The adapter under test. It must be configured for tests: a short request timeout (≤ 1 s),
   * short retry delays (≤ 100 ms), and a platform whose jobs finish within seconds.
   */
  platform: DesktopPlatform;
  faults: {
    inject(fault: ConformanceFault): Promise<void>;
    clear(): Promise<void>;
  };
  /** Optional: what the platform itself counted (lets the kit check rate limiting server-side). */
  stats?(): Promise<{ requests: number; throttled: number }>;
  teardown(): Promise<void>;
}

export type ConformanceSetup = (options: ConformanceOptions) => Promise<ConformanceHarness>;

export interface ConformanceKitOptions {
  /** Poll interval of `awaitJob` in the kit. Default 20 ms. */
  jobIntervalMs?: number;
  /** Bound on each platform job in the kit. Default 60 s. */
  jobTimeoutMs?: number;
  /** Per-test timeout. Default 60 s. */
  testTimeoutMs?: number;
  /**
   * Two oses with images on the platform that one desktop can be rebuilt between (same OS
   * family on most platforms). Default win10 → win7; null skips the "rebuild to another os" case.
   */
  rebuildOs?: { from: DesktopOs; to: DesktopOs } | null;
}

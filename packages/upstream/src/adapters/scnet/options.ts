import type { Clock } from "@deskgate/runtime";
import type { RetryOptions } from "../../retry.ts";
import type { UpstreamUrlPolicyOptions } from "../../url-policy.ts";

export interface ScnetOptions {
  /** The AC API origin that issues tokens and knows the centre, e.g. https://ac.sugon.com (DESKGATE_HPC_URL). */
  baseUrl: string;
  /** Time for the v3 AK/SK login's timestamp. Default the system clock. */
  clock?: Clock;
  /** Per-request timeout. Default 30 s. */
  requestTimeoutMs?: number;
  /** Client-side limit on calls per second to this platform (0 or absent = unlimited). */
  ratePerSecond?: number;
  /** Requests allowed back to back before pacing starts. Default 1. */
  rateBurst?: number;
  /**
   * What the HPC URLs the centre answers (`hpcUrls`) may point at. Default: https only, no
   * loopback/private/metadata address (DESKGATE_UPSTREAM_ALLOWLIST / _ALLOW_HTTP open them).
   */
  urlPolicy?: UpstreamUrlPolicyOptions;
  /** In-adapter retries of transient failures. Default 4 attempts, 200 ms base, 5 s cap. */
  retry?: Partial<RetryOptions>;
}

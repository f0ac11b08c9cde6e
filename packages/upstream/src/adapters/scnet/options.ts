import type { RetryOptions } from "../../retry.ts";

export interface ScnetOptions {
  /** The AC API origin that issues tokens and knows the centre, e.g. https://ac.sugon.com (DESKGATE_HPC_URL). */
  baseUrl: string;
  /** Per-request timeout. Default 30 s. */
  requestTimeoutMs?: number;
  /** Client-side limit on calls per second to this platform (0 or absent = unlimited). */
  ratePerSecond?: number;
  /** Requests allowed back to back before pacing starts. Default 1. */
  rateBurst?: number;
  /** In-adapter retries of transient failures. Default 4 attempts, 200 ms base, 5 s cap. */
  retry?: Partial<RetryOptions>;
}

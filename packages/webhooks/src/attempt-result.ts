import type { TransportErrorClass } from "./error-class.ts";

export type DeliveryErrorClass = TransportErrorClass | "http_status";

/** One attempt, ready to be recorded (RELIABILITY.md 2). */
export interface DeliveryAttemptResult {
  /** 2xx. */
  ok: boolean;
  /** HTTP status; 0 on a transport error or a policy refusal. */
  status: number;
  errorClass: DeliveryErrorClass | null;
  latencyMs: number;
  /** At most 4096 bytes (UTF-8) of the response body; "" if none. */
  responsePrefix: string;
  /** `Retry-After` in seconds, when the receiver sent one. */
  retryAfterSec: number | null;
  /** 410 Gone: the receiver asks us to stop. */
  gone: boolean;
  /** Why it failed, for logs and the operator page (never the body or headers); null when ok. */
  detail: string | null;
}

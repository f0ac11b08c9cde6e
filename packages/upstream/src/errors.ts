/**
 * Every adapter failure is one of these. `transient` failures are retried with backoff
 * (first inside the adapter, then by the job queue); `permanent` ones fail the task with the
 * platform's own text in `message`.
 */
export type UpstreamErrorReason =
  | "throttled"
  | "unavailable"
  | "timeout"
  | "busy"
  | "not_found"
  | "exists"
  | "quota"
  | "invalid"
  | "password_rejected"
  | "auth"
  | "unknown";

export class UpstreamError extends Error {
  readonly transient: boolean;
  readonly reason: UpstreamErrorReason;
  readonly platformCode: string | null;
  readonly httpStatus: number;
  readonly requestId: string | null;
  readonly retryAfterMs: number | null;

  constructor(opts: {
    message: string;
    transient: boolean;
    reason: UpstreamErrorReason;
    platformCode?: string | null;
    httpStatus?: number;
    requestId?: string | null;
    retryAfterMs?: number | null;
  }) {
    super(opts.message);
    this.name = "UpstreamError";
    this.transient = opts.transient;
    this.reason = opts.reason;
    this.platformCode = opts.platformCode ?? null;
    this.httpStatus = opts.httpStatus ?? 0;
    this.requestId = opts.requestId ?? null;
    this.retryAfterMs = opts.retryAfterMs ?? null;
  }
}

export function isUpstreamError(e: unknown): e is UpstreamError {
  return e instanceof UpstreamError;
}

/** Whether a failure (of any origin) is worth retrying. Unknown errors are not. */
export function isTransient(e: unknown): boolean {
  return e instanceof UpstreamError && e.transient;
}

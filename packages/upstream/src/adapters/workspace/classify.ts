import { UpstreamError, type UpstreamErrorReason } from "../../errors.ts";
import type { JsonResponse } from "../../http.ts";

/**
 * Huawei Workspace error classification (UPSTREAM-VDI.md §7.3): HTTP 429, every 5xx (with or
 * without a WKS code; bounded by the retry budget), `WKS.0407` (disks being added) and
 * `WKS.00010032` (desktop busy) are transient; every other 4xx is permanent. The platform's
 * `error_msg` is kept in the message.
 */
export const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  "WKS.0407",
  "WKS.00010032",
  "APIG.0308",
  "APIGW.0308",
]);

/** The reason of a permanent error, by code; the synthetic `WKS.99…` codes are the simulator's (§8.4). */
export const REASONS: Readonly<Record<string, UpstreamErrorReason>> = {
  "WKS.99000001": "exists", // user name exists
  "WKS.99000011": "exists", // computer name in use
  "WKS.00081101": "exists", // policy group name conflict
  "WKS.00170312": "not_found", // user not found (HTTP 400)
  "WKS.99000002": "not_found", // desktop
  "WKS.99000006": "not_found", // volume
  "WKS.99000012": "not_found", // job
  "WKS.00081104": "not_found", // policy group
  "WKS.99000003": "quota",
  "WKS.00081105": "quota",
  "WKS.00170101": "password_rejected",
  "WKS.00170102": "password_rejected",
  "WKS.00170103": "password_rejected",
  "APIGW.0301": "auth",
  "WKS.00010099": "auth", // Workspace service disabled for the tenant
};

/** Turns a non-2xx Workspace answer into a classified UpstreamError. `what` names the operation. */
export function classify(res: JsonResponse, what: string): UpstreamError {
  const body = (isObject(res.body) ? res.body : {}) as {
    error_code?: unknown;
    error_msg?: unknown;
    code?: unknown;
    message?: unknown;
  };
  // The Go SDK also accepts {code, message}; take whichever the platform sent.
  const rawCode = body.error_code ?? body.code;
  const rawText = body.error_msg ?? body.message;
  const code = typeof rawCode === "string" && rawCode ? rawCode : null;
  const text = typeof rawText === "string" && rawText ? rawText : `HTTP ${res.status}`;
  const status = res.status;
  const throttled = status === 429 || code === "APIG.0308" || code === "APIGW.0308";
  const transient = throttled || status >= 500 || (code !== null && TRANSIENT_CODES.has(code));
  let reason: UpstreamErrorReason;
  if (throttled) reason = "throttled";
  else if (status >= 500) reason = "unavailable";
  else if (code === "WKS.0407" || code === "WKS.00010032") reason = "busy";
  else if (code && REASONS[code]) reason = REASONS[code];
  else if (status === 404) reason = "not_found";
  else if (status === 401 || status === 403) reason = "auth";
  else if (status === 409) reason = "exists";
  else reason = "invalid";
  return new UpstreamError({
    message: `${what}: ${text}${code ? ` (${code})` : ""}`,
    transient,
    reason,
    platformCode: code,
    httpStatus: status,
    requestId: res.requestId,
    // Huawei documents no Retry-After on APIG.0308 and advises waiting 2-5 s.
    retryAfterMs: res.retryAfterMs ?? (throttled ? 2000 : null),
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

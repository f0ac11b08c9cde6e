import { UpstreamError, type UpstreamErrorReason } from "../../errors.ts";
import type { JsonResponse } from "../../http.ts";

/**
 * Huawei Workspace error classification (UPSTREAM-VDI.md §7.3): 429, 5xx, WKS.0407 and
 * WKS.00010032 are transient; every other 4xx is permanent, with the platform's text kept.
 */
const TRANSIENT_CODES = new Set(["WKS.0407", "WKS.00010032", "APIG.0308", "APIGW.0308"]);

const REASONS: Record<string, UpstreamErrorReason> = {
  "WKS.99000001": "exists",
  "WKS.99000011": "exists",
  "WKS.00170312": "not_found",
  "WKS.99000002": "not_found",
  "WKS.99000006": "not_found",
  "WKS.99000003": "quota",
  "WKS.00081105": "quota",
  "WKS.00170101": "password_rejected",
  "WKS.00170102": "password_rejected",
  "WKS.00170103": "password_rejected",
  "APIGW.0301": "auth",
};

export function classify(res: JsonResponse, what: string): UpstreamError {
  const body = (res.body ?? {}) as { error_code?: string; error_msg?: string };
  const code = body.error_code ?? null;
  const text = body.error_msg ?? `HTTP ${res.status}`;
  const transient = res.status === 429 || res.status >= 500 || (code !== null && TRANSIENT_CODES.has(code));
  let reason: UpstreamErrorReason = (code && REASONS[code]) || "invalid";
  if (res.status === 429) reason = "throttled";
  else if (res.status >= 500) reason = "unavailable";
  else if (code === "WKS.0407" || code === "WKS.00010032") reason = "busy";
  else if (res.status === 404 && !code) reason = "not_found";
  else if (res.status === 401) reason = "auth";
  return new UpstreamError({
    message: `${what}: ${text}${code ? ` (${code})` : ""}`,
    transient,
    reason,
    platformCode: code,
    httpStatus: res.status,
    requestId: res.requestId,
    retryAfterMs: res.retryAfterMs ?? (res.status === 429 ? 2000 : null),
  });
}

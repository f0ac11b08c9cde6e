import { UpstreamError, type UpstreamErrorReason } from "../../errors.ts";
import type { JsonResponse } from "../../http.ts";

/**
 * SCNet (Sugon AC OpenAPI 2.0) answers `{"code","msg","data"}`, errors mostly in HTTP 200
 * (seed 001). SPEC 2.8: 10011 (rate) and 815201 (all VNC nodes overloaded) are transient;
 * 10008 is "auth" (an expired token: the caller renews once and retries); 10003/10004 are the
 * caller's fault; every other code is permanent with the platform's `msg`. HTTP 5xx and 429
 * are transient whatever the body says.
 */
const TRANSIENT: Readonly<Record<string, UpstreamErrorReason>> = {
  "10011": "throttled",
  "815201": "busy",
};

const PERMANENT: Readonly<Record<string, UpstreamErrorReason>> = {
  "10008": "auth",
  "10003": "invalid",
  "10004": "invalid",
  "815010": "not_found",
};

export interface Envelope {
  code: string | null;
  msg: string;
  data: unknown;
}

/** The envelope of any answer (a body that is not one gives code null). */
export function envelope(res: JsonResponse): Envelope {
  const body = typeof res.body === "object" && res.body !== null ? (res.body as Record<string, unknown>) : {};
  const code = typeof body.code === "number" || typeof body.code === "string" ? String(body.code) : null;
  return { code, msg: typeof body.msg === "string" ? body.msg : "", data: body.data ?? null };
}

export function isSuccess(res: JsonResponse, env: Envelope): boolean {
  return res.status >= 200 && res.status < 300 && env.code === "0";
}

export function classifyScnet(res: JsonResponse, env: Envelope, what: string): UpstreamError {
  const { code } = env;
  const text = env.msg || `HTTP ${res.status}`;
  const http = res.status === 429 || res.status >= 500;
  let reason: UpstreamErrorReason;
  let transient = http;
  if (res.status === 429) reason = "throttled";
  else if (res.status >= 500) reason = "unavailable";
  else if (code && TRANSIENT[code]) {
    reason = TRANSIENT[code];
    transient = true;
  } else if (code && PERMANENT[code]) reason = PERMANENT[code];
  else if (res.status === 401 || res.status === 403) reason = "auth";
  else if (res.status === 404) reason = "not_found";
  else reason = !code && res.status >= 400 ? "invalid" : "unknown";
  return new UpstreamError({
    message: `${what}: ${text}${code && code !== "0" ? ` (${code})` : ""}`,
    transient,
    reason,
    platformCode: code,
    httpStatus: res.status,
    requestId: res.requestId,
    retryAfterMs: res.retryAfterMs,
  });
}

/** Maps a transport failure to the error class recorded on the attempt (RELIABILITY.md 2). */

export type TransportErrorClass = "timeout" | "dns" | "refused" | "tls" | "blocked_by_policy" | "connection";

const TIMEOUT_CODES = new Set([
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);
const DNS_CODES = new Set([
  "ERR_HOST_LOOKUP",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_FAIL",
  "EAI_NODATA",
  "EAI_NONAME",
]);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

/** Most specific class wins: a policy refusal is never reported as a mere connection error. */
export function classifyTransportError(error: unknown): TransportErrorClass {
  const codes = errorCodes(error);
  if (codes.includes("ERR_BLOCKED_BY_POLICY")) return "blocked_by_policy";
  if (codes.some((code) => TIMEOUT_CODES.has(code))) return "timeout";
  if (codes.some((code) => DNS_CODES.has(code))) return "dns";
  if (codes.some((code) => TLS_CODE.test(code))) return "tls";
  if (codes.includes("ECONNREFUSED")) return "refused";
  return "connection";
}

/** `code`s of the error, its `cause` chain and, for an `AggregateError`, each attempt. */
function errorCodes(error: unknown, depth = 0): string[] {
  if (!(error instanceof Error) || depth > 5) return [];
  const own = "code" in error && typeof error.code === "string" ? [error.code] : [];
  const nested = error instanceof AggregateError ? error.errors : [];
  return [...own, ...errorCodes(error.cause, depth + 1), ...nested.flatMap((e) => errorCodes(e, depth + 1))];
}

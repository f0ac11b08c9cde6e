import { createHash, createHmac } from "node:crypto";

/**
 * Huawei Cloud AK/SK request signing, SDK-HMAC-SHA256, as the official SDK signer does it
 * (huaweicloud-sdk-go-v3 `core/auth/signer/signer.go`; the Node SDK's `AKSKSigner` agrees):
 *
 *   canonical request = METHOD \n canonical URI \n canonical query \n canonical headers \n
 *                       signed headers \n hex(sha256(body))
 *   string to sign    = "SDK-HMAC-SHA256" \n X-Sdk-Date \n hex(sha256(canonical request))
 *   signature         = hex(HMAC-SHA256(SK, string to sign))
 *
 * - URI: each path segment escaped (only `A-Za-z0-9_-~.` left as is), always ending in `/`;
 * - query: keys sorted, the values of each key sorted, both escaped, `k=v` joined by `&`;
 * - headers: names lower-cased and sorted, `name:trimmed value` lines, each ending in `\n`;
 *   `content-type` and names with `_` are never signed (Go SDK `extractSignedHeaders`).
 */
export const ALGORITHM = "SDK-HMAC-SHA256";

export interface SigningCredentials {
  accessKey: string;
  secretKey: string;
}

export interface RequestToSign {
  method: string;
  /** The full URL as sent (path and query percent-encoded as usual). */
  url: string;
  /** Headers to sign (any case). `X-Sdk-Date` is added by `signRequest`. */
  headers: Record<string, string>;
  /** The exact bytes of the body sent; none = empty. */
  body?: string;
}

/** `YYYYMMDDTHHMMSSZ` in UTC (Go layout `20060102T150405Z`). */
export function sdkDate(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace(/[-:]/g, "")}Z`;
}

/** Huawei's `escape`: percent-encode every byte of the UTF-8 form except `A-Za-z0-9_-~.`. */
export function hwEscape(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The path's segments, decoded then escaped; a trailing `/` is always added. */
export function canonicalUri(pathname: string): string {
  const path = pathname
    .split("/")
    .map((s) => hwEscape(decodeURIComponent(s)))
    .join("/");
  return path.endsWith("/") ? path : `${path}/`;
}

export function canonicalQuery(search: URLSearchParams): string {
  const byKey = new Map<string, string[]>();
  for (const [key, value] of search) byKey.set(key, [...(byKey.get(key) ?? []), value]);
  return [...byKey.keys()]
    .sort(byCodeUnit)
    .flatMap((key) => [...byKey.get(key)!].sort(byCodeUnit).map((v) => `${hwEscape(key)}=${hwEscape(v)}`))
    .join("&");
}

/** The names signed, lower-cased and sorted (content-type and names with `_` left out). */
export function signedHeaderNames(headers: Record<string, string>): string[] {
  return Object.keys(headers)
    .filter((name) => !name.toLowerCase().startsWith("content-type") && !name.includes("_"))
    .map((name) => name.toLowerCase())
    .sort(byCodeUnit);
}

export function canonicalRequest(req: RequestToSign, signed: string[]): string {
  const url = new URL(req.url);
  const lower = new Map(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const headers = signed.map((name) => `${name}:${(lower.get(name) ?? "").trim()}\n`).join("");
  return [
    req.method.toUpperCase(),
    canonicalUri(url.pathname),
    canonicalQuery(url.searchParams),
    headers,
    signed.join(";"),
    sha256Hex(req.body ?? ""),
  ].join("\n");
}

export function stringToSign(canonical: string, date: string): string {
  return `${ALGORITHM}\n${date}\n${sha256Hex(canonical)}`;
}

/**
 * Signs `req` at `at`: returns the headers to add, `X-Sdk-Date` and `Authorization`. The
 * request must then be sent with exactly `req.headers`, these two, and the same body bytes.
 */
export function signRequest(
  req: RequestToSign,
  creds: SigningCredentials,
  at: Date,
): { "X-Sdk-Date": string; Authorization: string } {
  const date = sdkDate(at);
  const headers = { ...withoutDate(req.headers), "X-Sdk-Date": date };
  const signed = signedHeaderNames(headers);
  const canonical = canonicalRequest({ ...req, headers }, signed);
  const signature = createHmac("sha256", creds.secretKey).update(stringToSign(canonical, date)).digest("hex");
  return {
    "X-Sdk-Date": date,
    Authorization: `${ALGORITHM} Access=${creds.accessKey}, SignedHeaders=${signed.join(";")}, Signature=${signature}`,
  };
}

function withoutDate(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== "x-sdk-date"));
}

function sha256Hex(data: string): string {
  return createHash("sha256").update(data, "utf8").digest("hex");
}

/** Go's sort.Strings compares bytes; for the ASCII names and values deskgate sends, UTF-16 order is the same. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

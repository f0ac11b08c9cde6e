import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * The API gateway's side of SDK-HMAC-SHA256 (UPSTREAM-VDI 1.2), written from Huawei's
 * published signer independently of deskgate's adapter, so that a mistake in one shows up
 * against the other: the signature is recomputed over the request as it arrived, with the
 * headers its `SignedHeaders` names.
 */
export interface ParsedAuthorization {
  access: string;
  signedHeaders: string[];
  signature: string;
}

const AUTH_RE = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

export function parseAuthorization(value: string): ParsedAuthorization | null {
  const m = AUTH_RE.exec(value.trim());
  if (!m) return null;
  return { access: m[1]!, signedHeaders: m[2]!.split(";"), signature: m[3]! };
}

/** `YYYYMMDDTHHMMSSZ` → epoch ms, or null. */
export function parseSdkDate(value: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const at = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  return Number.isNaN(at) ? null : at;
}

/** Only `A-Za-z0-9-_.~` stay as they are; every other UTF-8 byte becomes %XX. */
function encode(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

export function expectedSignature(opts: {
  method: string;
  url: URL;
  /** Header lookup by lower-case name. */
  header(name: string): string | undefined;
  signedHeaders: string[];
  body: string;
  sdkDate: string;
  secretKey: string;
}): string {
  let path = opts.url.pathname
    .split("/")
    .map((s) => encode(decodeURIComponent(s)))
    .join("/");
  if (!path.endsWith("/")) path += "/";
  const params = new Map<string, string[]>();
  for (const [k, v] of opts.url.searchParams) params.set(k, [...(params.get(k) ?? []), v]);
  const query = [...params.keys()]
    .sort(compareBytes)
    .flatMap((k) =>
      params
        .get(k)!
        .sort(compareBytes)
        .map((v) => `${encode(k)}=${encode(v)}`),
    )
    .join("&");
  const headers = opts.signedHeaders.map((h) => `${h}:${(opts.header(h) ?? "").trim()}\n`).join("");
  const canonical = [
    opts.method.toUpperCase(),
    path,
    query,
    headers,
    opts.signedHeaders.join(";"),
    sha256(opts.body),
  ].join("\n");
  const toSign = `SDK-HMAC-SHA256\n${opts.sdkDate}\n${sha256(canonical)}`;
  return createHmac("sha256", opts.secretKey).update(toSign).digest("hex");
}

export function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Sessions of the /ops page, without server-side state: the cookie holds the API key's id
 * and an expiry, signed with HMAC-SHA256 under a secret drawn at random when the api process
 * starts. The key itself is never put in the cookie. Consequences, by design:
 * - restarting the api ends every session (operators log in again);
 * - with several api processes behind one address, a session only works on the process that
 *   issued it (use sticky routing, or log in per process);
 * - each request re-reads the key by id, so revoking the key (or removing its admin scope)
 *   ends its sessions at once.
 * The CSRF token of a session is another HMAC over the same fields, so it needs no storage.
 */
export interface OpsSession {
  keyId: string;
  /** Unix seconds. */
  expiresAt: number;
}

export interface OpsSessions {
  /** A new cookie value for the key `keyId`, valid for the configured lifetime. */
  issue(keyId: string): string;
  /** The session of a cookie value, or null when missing, forged, malformed or expired. */
  verify(cookie: string | undefined): OpsSession | null;
  /** The CSRF token of a session (stable for the session's life). */
  csrfToken(session: OpsSession): string;
  /** Whether `token` is the CSRF token of `session` (constant-time). */
  checkCsrf(session: OpsSession, token: unknown): boolean;
  readonly ttlSeconds: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createOpsSessions(
  opts: { ttlSeconds?: number; secret?: Buffer; now?: () => number } = {},
): OpsSessions {
  const secret = opts.secret ?? randomBytes(32);
  const ttlSeconds = opts.ttlSeconds ?? 8 * 3600;
  const nowSec = () => Math.floor((opts.now?.() ?? Date.now()) / 1000);
  const mac = (purpose: string, s: OpsSession) =>
    createHmac("sha256", secret).update(`${purpose}|${s.keyId}|${s.expiresAt}`).digest("base64url");

  return {
    ttlSeconds,
    issue(keyId) {
      const session = { keyId, expiresAt: nowSec() + ttlSeconds };
      return `v1.${keyId}.${session.expiresAt}.${mac("ops-session", session)}`;
    },
    verify(cookie) {
      if (!cookie || cookie.length > 200) return null;
      const parts = cookie.split(".");
      if (parts.length !== 4 || parts[0] !== "v1") return null;
      const [, keyId = "", exp = "", sig = ""] = parts;
      if (!UUID.test(keyId) || !/^\d{1,12}$/.test(exp)) return null;
      const session = { keyId, expiresAt: Number(exp) };
      if (!sameText(sig, mac("ops-session", session))) return null;
      if (session.expiresAt <= nowSec()) return null;
      return session;
    },
    csrfToken: (session) => mac("ops-csrf", session),
    checkCsrf: (session, token) => typeof token === "string" && sameText(token, mac("ops-csrf", session)),
  };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

import { isIP } from "node:net";
import { checkAddress, checkAddressFor } from "./address-policy.ts";
import { type CallbackPolicy, isHostAllowlisted, normaliseHostName } from "./allowlist.ts";

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * Request-time check of a `callback_url`, without DNS: scheme, credentials, literal IPs (WHATWG URL
 * parsing has already turned `2130706433`, `0x7f.1`, `127.1`, full-width digits… into dotted
 * quads) on the URL's port (80 / 443 when it has none) and loopback names. Names are checked
 * again, against what they resolve to and on the same port, at delivery.
 */
export function checkCallbackUrl(raw: string, policy: CallbackPolicy): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "is not a valid absolute URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return {
      ok: false,
      reason: `scheme ${JSON.stringify(url.protocol.slice(0, -1))} is not allowed; use http or https`,
    };
  }
  if (url.username !== "" || url.password !== "") {
    return { ok: false, reason: "must not carry credentials (user:password@)" };
  }

  const host = urlHost(url);
  const port = urlPort(url);
  if (isIP(host) !== 0) {
    const check = checkAddress(host, port, policy);
    return check.ok ? { ok: true, url } : check;
  }
  if (isLoopbackName(host)) {
    if (!isHostAllowlisted(policy, host, port)) return { ok: false, reason: `${host} is a loopback name` };
    // Judged as the 127.0.0.1 it resolves to: deskgate's own ports and service ports stay refused.
    const check = checkAddressFor("127.0.0.1", port, policy, { via: host });
    if (!check.ok)
      return { ok: false, reason: `${host} (loopback) ${check.reason.replace(/^127\.0\.0\.1 /, "")}` };
  }
  return { ok: true, url };
}

/** The port a URL connects to: its own, or 443 for https and 80 for http. */
export function urlPort(url: URL): number {
  if (url.port !== "") return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

/** `url.hostname` without the brackets around an IPv6 literal. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

/** `localhost` and `*.localhost` always resolve to loopback (RFC 6761). */
function isLoopbackName(hostname: string): boolean {
  const name = normaliseHostName(hostname);
  return name === "localhost" || name.endsWith(".localhost");
}

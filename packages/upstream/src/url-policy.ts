import {
  type CallbackPolicy,
  checkCallbackUrl,
  createGuardedConnector,
  parseAllowlist,
  type Resolver,
  systemResolver,
} from "@deskgate/webhooks";
import type { buildConnector } from "undici";

/**
 * The address policy for URLs an upstream hands deskgate (SCNet's `hpcUrls`): the callbacks'
 * SSRF guard of @deskgate/webhooks with an allowlist of its own (`DESKGATE_UPSTREAM_ALLOWLIST`).
 * https only unless `allowHttp`; no loopback, private, link-local or metadata address unless
 * allowlisted; host names are checked against every address they resolve to when connecting
 * (the socket uses exactly the checked addresses, so a rebinding name gains nothing).
 */
export interface UpstreamUrlPolicyOptions {
  /**
   * Comma-separated host names, IPs and CIDRs, optionally with `:port` / `:lo-hi`, as the callback
   * allowlist is written; an entry opens its addresses on its ports only, for literal addresses
   * (`refusal`) and for the addresses a name resolves to (`connect`).
   */
  allowlist?: string;
  /** Allow `http:` URLs (the simulator; never a real platform). Default false. */
  allowHttp?: boolean;
  resolver?: Resolver;
}

export interface UpstreamUrlPolicy {
  /** Null when `url` may be used; else why not. Checks scheme, credentials and literal addresses. */
  refusal(url: string): string | null;
  /**
   * undici's `connect` for such URLs: resolves a name once, refuses blocked addresses for the
   * port connected to, and connects to exactly the checked addresses.
   */
  connect: buildConnector.connector;
}

export function createUpstreamUrlPolicy(opts: UpstreamUrlPolicyOptions = {}): UpstreamUrlPolicy {
  const policy: CallbackPolicy = parseAllowlist(opts.allowlist);
  return {
    refusal(raw) {
      const check = checkCallbackUrl(raw, policy);
      if (!check.ok) return check.reason;
      if (check.url.protocol === "http:" && !opts.allowHttp) {
        return "uses http; upstream URLs must be https (DESKGATE_UPSTREAM_ALLOW_HTTP=true allows http)";
      }
      return null;
    },
    connect: createGuardedConnector(policy, opts.resolver ?? systemResolver),
  };
}

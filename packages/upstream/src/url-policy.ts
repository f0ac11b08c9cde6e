import type { LookupFunction } from "node:net";
import {
  type CallbackPolicy,
  checkCallbackUrl,
  createGuardedLookup,
  parseAllowlist,
  type Resolver,
  systemResolver,
} from "@deskgate/webhooks";

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
   * allowlist is written. A port is enforced on literal addresses (`refusal`); `lookup` is not
   * told the port, so an entry with a port does not open a name's addresses there.
   */
  allowlist?: string;
  /** Allow `http:` URLs (the simulator; never a real platform). Default false. */
  allowHttp?: boolean;
  resolver?: Resolver;
}

export interface UpstreamUrlPolicy {
  /** Null when `url` may be used; else why not. Checks scheme, credentials and literal addresses. */
  refusal(url: string): string | null;
  /** For the connections to such URLs: resolves names and refuses blocked addresses. */
  lookup: LookupFunction;
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
    lookup: createGuardedLookup(policy, opts.resolver ?? systemResolver),
  };
}

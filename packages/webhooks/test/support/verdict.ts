import { isIP } from "node:net";
import { checkCallbackUrl, urlHost, urlPort } from "../../src/callback-url.ts";
import { BlockedByPolicyError } from "../../src/errors.ts";
import { resolveChecked } from "../../src/guarded-lookup.ts";
import type { CallbackPolicy, Resolver } from "../../src/index.ts";

/** A resolver answering from a fixed table; unknown names fail like NXDOMAIN. Never real DNS. */
export function tableResolver(table: Record<string, readonly string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolver = async (hostname: string) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (addresses === undefined)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: (isIP(address) === 6 ? 6 : 4) as 4 | 6 }));
  };
  return Object.assign(resolver, { calls });
}

/**
 * Both guard stages a delivery goes through: the request-time URL check, then (for names) the
 * connect-time lookup check for the URL's port. Returns "allowed" or the refusal reason.
 */
export async function verdict(url: string, policy: CallbackPolicy, resolver: Resolver): Promise<string> {
  const check = checkCallbackUrl(url, policy);
  if (!check.ok) return check.reason;
  const host = urlHost(check.url);
  if (isIP(host) !== 0) return "allowed";
  try {
    await resolveChecked(host, urlPort(check.url), policy, resolver);
    return "allowed";
  } catch (error) {
    if (error instanceof BlockedByPolicyError) return error.message;
    throw error;
  }
}

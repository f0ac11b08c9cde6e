import { isIP } from "node:net";
import { buildConnector } from "undici";
import { checkAddressFor } from "./address-policy.ts";
import type { CallbackPolicy } from "./allowlist.ts";
import { BlockedByPolicyError } from "./errors.ts";
import { createGuardedLookup, type Resolver } from "./guarded-lookup.ts";

export interface GuardedConnectorOptions {
  /** Connect timeout, ms (undici's default 10 000). */
  timeout?: number;
}

/**
 * An undici `connect` function (Agent / Pool / Client `connect` option) that enforces the policy
 * for the port it connects to. `net`'s lookup is not told the port, so the connector keeps one
 * undici connector per port (made on first use, at most one per port number) whose guarded
 * lookup checks every resolved address for that port; the socket then connects to exactly those
 * addresses, with no second lookup. Literal IPs, which never reach a lookup, are checked here.
 */
export function createGuardedConnector(
  policy: CallbackPolicy,
  resolver: Resolver,
  opts: GuardedConnectorOptions = {},
): buildConnector.connector {
  const byPort = new Map<number, buildConnector.connector>();
  return (options, callback) => {
    const port = Number(options.port) || (options.protocol === "https:" ? 443 : 80);
    if (isIP(options.hostname) !== 0) {
      const check = checkAddressFor(options.hostname, port, policy);
      if (!check.ok) {
        callback(new BlockedByPolicyError(check.reason), null);
        return;
      }
    }
    let connector = byPort.get(port);
    if (connector === undefined) {
      connector = buildConnector({
        lookup: createGuardedLookup(policy, resolver, port),
        ...(opts.timeout === undefined ? {} : { timeout: opts.timeout }),
      });
      byPort.set(port, connector);
    }
    connector(options, callback);
  };
}

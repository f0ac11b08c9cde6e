import { lookup as dnsLookup } from "node:dns/promises";
import { isIP, type LookupFunction } from "node:net";
import { checkAddressFor } from "./address-policy.ts";
import type { CallbackPolicy } from "./allowlist.ts";
import { BlockedByPolicyError, HostLookupError } from "./errors.ts";

export type Resolver = (hostname: string) => Promise<{ address: string; family: 4 | 6 }[]>;

export interface CheckedAddress {
  address: string;
  family: 4 | 6;
}

/** The system resolver, as `net.connect` would use it: `dns.lookup(host, { all: true })`. */
export const systemResolver: Resolver = async (hostname) => {
  const records = await dnsLookup(hostname, { all: true });
  return records.map((record) => ({ address: record.address, family: record.family === 6 ? 6 : 4 }));
};

/**
 * Resolves a host name once and checks every address for `port`: if any is blocked, the whole
 * name is refused (a name with one public and one private record is an attack, not a fallback).
 * `port` null: not known (see `checkAddressFor`). Throws `HostLookupError` when the name does
 * not resolve, `BlockedByPolicyError` when refused.
 */
export async function resolveChecked(
  hostname: string,
  port: number | null,
  policy: CallbackPolicy,
  resolver: Resolver,
): Promise<CheckedAddress[]> {
  let records: Awaited<ReturnType<Resolver>>;
  try {
    records = await resolver(hostname);
  } catch (error) {
    throw new HostLookupError(hostname, error);
  }
  if (records.length === 0) throw new HostLookupError(hostname);

  return records.map(({ address }) => {
    const check = checkAddressFor(address, port, policy, { via: hostname });
    if (!check.ok) throw new BlockedByPolicyError(`${hostname} resolves to ${check.reason}`);
    return { address, family: isIP(address) === 6 ? 6 : 4 };
  });
}

/**
 * A `lookup` for `net.connect` / undici's `connect` option: the socket connects to exactly the
 * addresses checked here, so there is no second lookup to rebind. Literal IPs never reach it.
 * A lookup is not told the port, so it checks for `port` (the one its connector connects to);
 * without one, entries restricted to ports open nothing and the port rules cannot apply — the
 * deliverer uses `createGuardedConnector`, which makes one lookup per port.
 */
export function createGuardedLookup(
  policy: CallbackPolicy,
  resolver: Resolver,
  port: number | null = null,
): LookupFunction {
  return (hostname, options, callback) => {
    resolveChecked(hostname, port, policy, resolver).then(
      (addresses) => {
        const [first] = addresses;
        if (options.all) callback(null, addresses);
        else if (first) callback(null, first.address, first.family);
      },
      (error: Error) => callback(error, []),
    );
  };
}

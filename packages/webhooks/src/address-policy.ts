import ipaddr from "ipaddr.js";
import {
  BLOCKED_V4,
  BLOCKED_V6,
  GLOBAL_UNICAST_V6,
  HARD_DENY,
  NAT64,
  type NamedRange,
  NEVER_UNICAST,
  SIX_TO_FOUR,
} from "./address-ranges.ts";
import { type CallbackPolicy, isAddressAllowlisted } from "./allowlist.ts";
import { type Ip, inCidr, low32AsIpv4, parseIp, sixToFourIpv4 } from "./ip.ts";

export type AddressCheck = { ok: true } | { ok: false; reason: string };

const OK: AddressCheck = { ok: true };
const NEVER_ALLOWED: readonly NamedRange[] = [...HARD_DENY, ...NEVER_UNICAST];

/** May deskgate connect to this address (a canonical IPv4 or IPv6 literal)? */
export function checkAddress(address: string, policy: CallbackPolicy): AddressCheck {
  return checkAddressFor(address, policy, { hostAllowlisted: false });
}

/**
 * As `checkAddress`; `hostAllowlisted` says the address came from resolving an allowlisted host
 * name, which opens every range an allowlist entry could open.
 */
export function checkAddressFor(
  address: string,
  policy: CallbackPolicy,
  opts: { hostAllowlisted: boolean },
): AddressCheck {
  const ip = parseIp(address);
  if (ip === null) return { ok: false, reason: `${JSON.stringify(address)} is not an IP address` };
  // Judge where the packets go: the IPv4 inside a mapped (parseIp did that), NAT64 or 6to4 address.
  const target = embeddedIpv4(ip) ?? ip;
  const subject = target.kind() === "ipv4" && address.includes(":") ? `${address} (IPv4 ${target})` : address;

  const never = findRange(target, NEVER_ALLOWED);
  if (never) return refuse(subject, never);
  if (opts.hostAllowlisted || isAddressAllowlisted(policy, ip)) return OK;

  const blocked = findRange(target, target.kind() === "ipv4" ? BLOCKED_V4 : BLOCKED_V6);
  if (blocked) return refuse(subject, blocked);
  if (target.kind() === "ipv6" && !inCidr(target, GLOBAL_UNICAST_V6)) {
    return { ok: false, reason: `${subject} is outside IPv6 global unicast (${GLOBAL_UNICAST_V6.text})` };
  }
  return OK;
}

/** The IPv4 destination carried by a NAT64 or 6to4 address. */
function embeddedIpv4(ip: Ip): Ip | null {
  if (!(ip instanceof ipaddr.IPv6)) return null;
  if (inCidr(ip, NAT64)) return low32AsIpv4(ip);
  if (inCidr(ip, SIX_TO_FOUR)) return sixToFourIpv4(ip);
  return null;
}

function findRange(ip: Ip, ranges: readonly NamedRange[]): NamedRange | undefined {
  return ranges.find((range) => inCidr(ip, range));
}

function refuse(subject: string, range: NamedRange): AddressCheck {
  return { ok: false, reason: `${subject} is ${range.label} (${range.text})` };
}

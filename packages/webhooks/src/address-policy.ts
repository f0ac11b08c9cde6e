import ipaddr from "ipaddr.js";
import {
  BLOCKED_V4,
  BLOCKED_V6,
  GLOBAL_UNICAST_V6,
  HARD_DENY,
  LOOPBACK,
  NAT64,
  type NamedRange,
  NEVER_UNICAST,
  SERVICE_PORTS,
  SIX_TO_FOUR,
} from "./address-ranges.ts";
import { type CallbackPolicy, describePorts, entriesCovering, portMatches } from "./allowlist.ts";
import { type Ip, inCidr, low32AsIpv4, parseIp, sixToFourIpv4 } from "./ip.ts";

export type AddressCheck = { ok: true } | { ok: false; reason: string };

const OK: AddressCheck = { ok: true };
const NEVER_ALLOWED: readonly NamedRange[] = [...HARD_DENY, ...NEVER_UNICAST];

/** May deskgate connect to this address (a canonical IPv4 or IPv6 literal) on this port? */
export function checkAddress(address: string, port: number, policy: CallbackPolicy): AddressCheck {
  return checkAddressFor(address, port, policy);
}

/**
 * As `checkAddress`. `via` is the host name the address came from: host entries for that name
 * count as well as CIDRs. `port` null means unknown (a `net` lookup is not told the port): then
 * only entries without a port open anything, and the port rules cannot apply.
 *
 * In order: metadata endpoints and non-unicast addresses are refused; deskgate's own ports on
 * this host's addresses (loopback, its interfaces) are refused; well-known service ports on
 * local or non-public addresses are refused unless an entry names that exact port; an entry
 * covering the address and the port opens it; otherwise blocked ranges are refused.
 */
export function checkAddressFor(
  address: string,
  port: number | null,
  policy: CallbackPolicy,
  opts: { via?: string } = {},
): AddressCheck {
  const ip = parseIp(address);
  if (ip === null) return { ok: false, reason: `${JSON.stringify(address)} is not an IP address` };
  // Judge where the packets go: the IPv4 inside a mapped (parseIp did that), NAT64 or 6to4 address.
  const target = embeddedIpv4(ip) ?? ip;
  const subject = target.kind() === "ipv4" && address.includes(":") ? `${address} (IPv4 ${target})` : address;

  const never = findRange(target, NEVER_ALLOWED);
  if (never) return refuse(subject, never);

  const local = isLocal(target, policy) || isLocal(ip, policy);
  const own = port === null ? undefined : policy.ownPorts.get(port);
  if (local && own !== undefined) {
    return { ok: false, reason: `${subject} port ${port} is deskgate's own port: ${own}` };
  }

  const covering = entriesCovering(policy, ip, opts.via);
  const opening = covering.filter((entry) => portMatches(entry.ports, port));
  const blocked = blockedRange(target);
  const service = port === null ? undefined : SERVICE_PORTS.get(port);
  if (service !== undefined && (local || blocked !== undefined)) {
    const named = opening.some((entry) => entry.ports?.lo === port && entry.ports.hi === port);
    if (!named) {
      return {
        ok: false,
        reason:
          `${subject} port ${port} is ${service}'s port on a ${local ? "local" : "non-public"} address; ` +
          `only an allowlist entry naming port ${port} opens it`,
      };
    }
  }
  if (opening.length > 0) return OK;

  if (blocked) {
    const refusal = refuse(subject, blocked);
    const others = covering.flatMap((entry) => (entry.ports ? [entry.ports] : []));
    if (others.length === 0) return refusal;
    const which = port === null ? "an unknown port" : `port ${port}`;
    const single = others.length === 1 && others[0]?.lo === others[0]?.hi;
    return {
      ok: false,
      reason: `${refusal.reason} on ${which}; the allowlist opens it only on ${single ? "port" : "ports"} ${others.map(describePorts).join(", ")}`,
    };
  }
  return OK;
}

/** The blocked range an address is in: a named one, or outside IPv6 global unicast. */
function blockedRange(target: Ip): NamedRange | undefined {
  const named = findRange(target, target.kind() === "ipv4" ? BLOCKED_V4 : BLOCKED_V6);
  if (named) return named;
  if (target.kind() === "ipv6" && !inCidr(target, GLOBAL_UNICAST_V6)) {
    return { ...GLOBAL_UNICAST_V6, label: "outside IPv6 global unicast" };
  }
  return undefined;
}

/** Loopback, or one of this host's own addresses. */
function isLocal(ip: Ip, policy: CallbackPolicy): boolean {
  if (findRange(ip, LOOPBACK)) return true;
  const text = ip.toNormalizedString();
  return policy.localAddresses.some((own) => own.kind() === ip.kind() && own.toNormalizedString() === text);
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

function refuse(subject: string, range: NamedRange): { ok: false; reason: string } {
  if (range.label === "outside IPv6 global unicast") {
    return { ok: false, reason: `${subject} is outside IPv6 global unicast (${range.text})` };
  }
  return { ok: false, reason: `${subject} is ${range.label} (${range.text})` };
}

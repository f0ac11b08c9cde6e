import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/** Small helpers over ipaddr.js so the policy code reads in terms of addresses and CIDRs. */

export type Ip = ipaddr.IPv4 | ipaddr.IPv6;

export interface Cidr {
  readonly network: Ip;
  readonly prefix: number;
  /** Canonical text, e.g. `10.20.0.0/16`. */
  readonly text: string;
}

/**
 * Parses a canonical address (dotted-quad IPv4 or IPv6, as sockets and `dns.lookup` use). Odd
 * IPv4 spellings (`0177.0.0.1`, `127.1`) are refused here: URLs are normalised before this point.
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d`) becomes the IPv4 address it maps to.
 */
export function parseIp(text: string): Ip | null {
  if (isIP(text) === 0) return null;
  return ipaddr.process(text);
}

/** Parses `a.b.c.d/n` or `v6/n`; a mapped-IPv6 CIDR (`::ffff:10.0.0.0/104`) becomes its IPv4 form. */
export function parseCidr(text: string): Cidr | { error: string } {
  const [addressText = "", prefixText = "", ...rest] = text.split("/");
  const family = isIP(addressText);
  if (family === 0 || rest.length > 0 || !/^\d{1,3}$/.test(prefixText)) {
    return { error: "is not a valid CIDR" };
  }
  const prefix = Number(prefixText);
  if (prefix > (family === 4 ? 32 : 128))
    return { error: `has a prefix longer than /${family === 4 ? 32 : 128}` };

  let network: Ip = ipaddr.parse(addressText);
  let bits = prefix;
  if (network instanceof ipaddr.IPv6 && network.isIPv4MappedAddress() && prefix >= 96) {
    network = network.toIPv4Address();
    bits = prefix - 96;
  }
  const canonical = networkOf(network, bits);
  if (canonical.toString() !== network.toString()) {
    return { error: `has host bits set; did you mean ${canonical.toString()}/${bits}?` };
  }
  return { network, prefix: bits, text: `${network.toString()}/${bits}` };
}

export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if ("error" in parsed) throw new Error(`${text} ${parsed.error}`);
  return parsed;
}

export function inCidr(address: Ip, range: Cidr): boolean {
  return address.kind() === range.network.kind() && address.match(range.network, range.prefix);
}

/** The IPv4 address carried in the low 32 bits of an IPv6 address (NAT64 `64:ff9b::/96`). */
export function low32AsIpv4(address: ipaddr.IPv6): ipaddr.IPv4 {
  const bytes = address.toByteArray();
  return new ipaddr.IPv4(bytes.slice(12, 16));
}

/** The IPv4 address in bits 16–47 of a 6to4 address (`2002:AABB:CCDD::/48`). */
export function sixToFourIpv4(address: ipaddr.IPv6): ipaddr.IPv4 {
  const bytes = address.toByteArray();
  return new ipaddr.IPv4(bytes.slice(2, 6));
}

function networkOf(address: Ip, prefix: number): Ip {
  const bytes = address.toByteArray().map((byte, i) => {
    const keep = Math.min(8, Math.max(0, prefix - i * 8));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
  return ipaddr.fromByteArray(bytes);
}

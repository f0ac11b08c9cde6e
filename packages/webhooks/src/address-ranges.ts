import { type Cidr, cidr } from "./ip.ts";

/**
 * The address tables of the SSRF guard (RELIABILITY.md 3), from the IANA special-purpose address
 * registries. Written out here rather than taken from ipaddr.js's `range()` names so the policy is
 * reviewable in one place and cannot drift with a library upgrade.
 */

export interface NamedRange extends Cidr {
  readonly label: string;
}

function named(text: string, label: string): NamedRange {
  return { ...cidr(text), label };
}

/** Cloud metadata endpoints: refused even when an allowlist entry covers them. */
export const HARD_DENY: readonly NamedRange[] = [
  named("169.254.169.254/32", "a cloud metadata endpoint (AWS, GCP, Azure)"),
  named("169.254.170.2/32", "a cloud metadata endpoint (AWS ECS)"),
  named("fd00:ec2::254/128", "a cloud metadata endpoint (AWS IPv6)"),
  named("100.100.100.200/32", "a cloud metadata endpoint (Alibaba Cloud)"),
  named("192.0.0.192/32", "a cloud metadata endpoint (Oracle Cloud)"),
];

/** Never a unicast destination, so no allowlist entry opens them. */
export const NEVER_UNICAST: readonly NamedRange[] = [
  named("0.0.0.0/8", "the unspecified / this-network range"),
  named("255.255.255.255/32", "the broadcast address"),
  named("224.0.0.0/4", "multicast"),
  named("::/128", "the unspecified address"),
  named("ff00::/8", "multicast"),
];

/** Private, local and special-purpose IPv4 ranges; an allowlist entry may open them. */
export const BLOCKED_V4: readonly NamedRange[] = [
  named("10.0.0.0/8", "private"),
  named("100.64.0.0/10", "carrier-grade NAT"),
  named("127.0.0.0/8", "loopback"),
  named("169.254.0.0/16", "link-local"),
  named("172.16.0.0/12", "private"),
  named("192.0.0.0/24", "IETF protocol assignments"),
  named("192.0.2.0/24", "documentation"),
  named("192.88.99.0/24", "the deprecated 6to4 relay anycast"),
  named("192.168.0.0/16", "private"),
  named("198.18.0.0/15", "benchmarking"),
  named("198.51.100.0/24", "documentation"),
  named("203.0.113.0/24", "documentation"),
  named("240.0.0.0/4", "reserved"),
];

/**
 * Special IPv6 ranges, most specific first. NAT64 (`64:ff9b::/96`) and 6to4 (`2002::/16`) are not
 * here: they carry an IPv4 address, which is checked instead. IPv4-mapped addresses never get
 * here either: they are turned into IPv4 first.
 */
export const BLOCKED_V6: readonly NamedRange[] = [
  named("::1/128", "loopback"),
  named("::/96", "IPv4-compatible (deprecated)"),
  named("::ffff:0:0:0/96", "IPv4-translated"),
  named("64:ff9b:1::/48", "local-use NAT64"),
  named("100::/64", "discard-only"),
  named("2001::/32", "Teredo"),
  named("2001:2::/48", "benchmarking"),
  named("2001::/23", "IETF protocol assignments"),
  named("2001:db8::/32", "documentation"),
  named("3fff::/20", "documentation"),
  named("5f00::/16", "SRv6 segment identifiers"),
  named("fc00::/7", "unique-local"),
  named("fe80::/10", "link-local"),
  named("fec0::/10", "site-local (deprecated)"),
];

/** Everything outside global unicast `2000::/3` (other than NAT64) is refused. */
export const GLOBAL_UNICAST_V6: Cidr = cidr("2000::/3");
export const NAT64: Cidr = cidr("64:ff9b::/96");
export const SIX_TO_FOUR: Cidr = cidr("2002::/16");

/** Where this host's own listening ports are reached, besides its interface addresses. */
export const LOOPBACK: readonly NamedRange[] = [
  named("127.0.0.0/8", "loopback"),
  named("::1/128", "loopback"),
];

/**
 * Well-known ports of services that often listen on a host without authentication and answer
 * (or misread) an HTTP POST: refused on local and non-public addresses unless an allowlist
 * entry names the exact port (`10.0.0.9:9200`). A port range does not count.
 */
export const SERVICE_PORTS: ReadonlyMap<number, string> = new Map([
  [25, "SMTP"],
  [2375, "the Docker API"],
  [2376, "the Docker API (TLS)"],
  [2379, "etcd"],
  [3306, "MySQL"],
  [5432, "PostgreSQL"],
  [6379, "Redis"],
  [9200, "Elasticsearch"],
  [11211, "memcached"],
  [27017, "MongoDB"],
]);

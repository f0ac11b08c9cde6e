import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import { domainToASCII } from "node:url";
import { type Cidr, type Ip, inCidr, parseCidr, parseIp } from "./ip.ts";

/**
 * The operator allowlist (`DESKGATE_CALLBACK_ALLOWLIST`): comma-separated host names and CIDRs that
 * open otherwise blocked receivers, since intranet receivers are normal. A bare IP is a one-address
 * CIDR. A host name entry trusts whatever that exact name resolves to (cloud metadata and
 * non-unicast addresses excepted). Any entry may end in `:port` or `:lo-hi` (IPv6 in brackets:
 * `[fd00::1]:8443`, `[fd00::/8]:8000-8099`); it then opens its addresses on those ports only.
 * Without a port it opens every port. deskgate's own ports (`ownPorts`) on this host's addresses
 * are refused whatever the entries say (address-policy.ts).
 */

export interface PortRange {
  readonly lo: number;
  readonly hi: number;
}

export type AllowEntry =
  | ({ readonly kind: "cidr"; readonly ports: PortRange | null } & Cidr)
  | { readonly kind: "host"; readonly host: string; readonly ports: PortRange | null };

/** A port deskgate itself listens on (or fronts it), and what it is, for the refusal's reason. */
export interface OwnPort {
  readonly port: number;
  /** e.g. "the api (PORT)" */
  readonly what: string;
}

export interface CallbackPolicy {
  readonly allow: readonly AllowEntry[];
  /** Refused on loopback and on `localAddresses`, whatever `allow` says: port → what it is. */
  readonly ownPorts: ReadonlyMap<number, string>;
  /** This host's own addresses besides loopback (its interfaces), where own ports are refused too. */
  readonly localAddresses: readonly Ip[];
}

export interface PolicyOptions {
  /** deskgate's own listening ports (the api, the worker's metrics, a local upstream…). */
  ownPorts?: readonly OwnPort[];
  /** Default: every address of `os.networkInterfaces()`, read once here. */
  localAddresses?: readonly string[];
}

export function parseAllowlist(csv: string | undefined, opts: PolicyOptions = {}): CallbackPolicy {
  const entries = (csv ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  const ownPorts = new Map<number, string>();
  for (const { port, what } of opts.ownPorts ?? []) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) continue; // 0 = not listening
    ownPorts.set(port, ownPorts.has(port) ? `${ownPorts.get(port)}, ${what}` : what);
  }
  const localAddresses = (opts.localAddresses ?? interfaceAddresses())
    .map((text) => parseIp(text))
    .filter((ip): ip is Ip => ip !== null);
  return { allow: entries.map(parseEntry), ownPorts, localAddresses };
}

/** `port` null: unknown (a `net` lookup gets none), so only entries without a port match. */
export function portMatches(ports: PortRange | null, port: number | null): boolean {
  if (ports === null) return true;
  return port !== null && port >= ports.lo && port <= ports.hi;
}

/** The entries covering this address (CIDRs) or, when given, this name (host entries); any port. */
export function entriesCovering(policy: CallbackPolicy, address: Ip, hostname?: string): AllowEntry[] {
  const name = hostname === undefined ? undefined : normaliseHostName(hostname);
  return policy.allow.filter((entry) =>
    entry.kind === "cidr" ? inCidr(address, entry) : name !== undefined && entry.host === name,
  );
}

export function isAddressAllowlisted(policy: CallbackPolicy, address: Ip, port: number | null): boolean {
  return policy.allow.some(
    (entry) => entry.kind === "cidr" && inCidr(address, entry) && portMatches(entry.ports, port),
  );
}

export function isHostAllowlisted(policy: CallbackPolicy, hostname: string, port: number | null): boolean {
  const name = normaliseHostName(hostname);
  return policy.allow.some(
    (entry) => entry.kind === "host" && entry.host === name && portMatches(entry.ports, port),
  );
}

/** `8443`, `8000-8099`. */
export function describePorts(ports: PortRange): string {
  return ports.lo === ports.hi ? String(ports.lo) : `${ports.lo}-${ports.hi}`;
}

/** Lower-case, without trailing dots: `Example.COM.` and `example.com` are one host. */
export function normaliseHostName(hostname: string): string {
  return hostname.toLowerCase().replace(/\.+$/, "");
}

/** Every address of this host's network interfaces, as `os.networkInterfaces()` lists them now. */
export function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((info) => info.address));
}

function parseEntry(entry: string): AllowEntry {
  const fail = (why: string) =>
    new Error(
      `callback allowlist entry ${JSON.stringify(entry)} ${why} (expected a host name, IP or CIDR, ` +
        "optionally with :port or :lo-hi)",
    );

  if (entry.includes("://")) throw fail("is a URL; write only its host name");
  const { address, portText, bracketed } = splitPort(entry, fail);
  const ports = portText === null ? null : parsePorts(portText, fail);

  if (address.includes("/")) {
    const parsed = parseCidr(address);
    if ("error" in parsed) throw fail(parsed.error);
    return { kind: "cidr", ports, ...parsed };
  }
  if (isIP(address) !== 0) {
    const parsed = parseCidr(`${address}/${isIP(address) === 4 ? 32 : 128}`);
    if ("error" in parsed) throw fail(parsed.error);
    return { kind: "cidr", ports, ...parsed };
  }
  if (bracketed) throw fail("has brackets around something that is not an IP address or CIDR");
  return { kind: "host", host: parseHostName(address, fail), ports };
}

/**
 * `[v6 or v6/n]` with an optional `:ports`; a bare IPv6 address or CIDR (two or more colons) has
 * no port; otherwise one colon separates the port.
 */
function splitPort(
  entry: string,
  fail: (why: string) => Error,
): { address: string; portText: string | null; bracketed: boolean } {
  if (entry.startsWith("[")) {
    const close = entry.indexOf("]");
    if (close === -1) throw fail("has an unclosed [");
    const rest = entry.slice(close + 1);
    if (rest !== "" && !rest.startsWith(":")) throw fail("has text after ] that is not :port");
    return { address: entry.slice(1, close), portText: rest === "" ? null : rest.slice(1), bracketed: true };
  }
  const colons = entry.split(":").length - 1;
  if (colons === 0) return { address: entry, portText: null, bracketed: false };
  if (colons === 1) {
    const at = entry.indexOf(":");
    return { address: entry.slice(0, at), portText: entry.slice(at + 1), bracketed: false };
  }
  // An IPv6 address or CIDR. `fd00::/8:8000` means a port: say how to write it.
  if (/\/\d*:/.test(entry) || (isIP(entry.split("/")[0] ?? "") === 0 && /:\d+(-\d+)?$/.test(entry))) {
    const guess = entry.replace(/:(\d+(-\d+)?)$/, "");
    throw fail(`has an IPv6 address with a port; put the address in brackets: [${guess}]:<port>`);
  }
  return { address: entry, portText: null, bracketed: false };
}

function parsePorts(text: string, fail: (why: string) => Error): PortRange {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  const bad = () => fail(`has a bad port ${JSON.stringify(text)}: ports are 1-65535, a range is lo-hi`);
  if (!match) throw bad();
  const lo = Number(match[1]);
  const hi = match[2] === undefined ? lo : Number(match[2]);
  if (lo < 1 || hi < 1 || lo > 65535 || hi > 65535) throw bad();
  if (lo > hi) throw fail(`has a port range ${text} that ends before it starts`);
  return { lo, hi };
}

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

function parseHostName(entry: string, fail: (why: string) => Error): string {
  if (entry.includes("*")) throw fail("has a wildcard; list each host name or use a CIDR");
  if (/[:@?#\s[\]]/.test(entry)) throw fail("is not a bare host name (no scheme, path or user)");
  // The same IDNA mapping as WHATWG URL, so entries compare equal to `new URL(...).hostname`.
  const name = normaliseHostName(domainToASCII(entry));
  const labels = name.split(".");
  if (name === "" || name.length > 253 || !labels.every((label) => LABEL.test(label))) {
    throw fail("is not a valid host name");
  }
  if (/^(\d+|0x[0-9a-f]*)$/.test(labels.at(-1) ?? "")) {
    throw fail("looks like an IP address; write it as a dotted quad or a CIDR");
  }
  return name;
}

import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import { type Cidr, type Ip, inCidr, parseCidr } from "./ip.ts";

/**
 * The operator allowlist (`DESKGATE_CALLBACK_ALLOWLIST`): comma-separated host names and CIDRs that
 * open otherwise blocked receivers, since intranet receivers are normal. A bare IP is a one-address
 * CIDR. A host name entry trusts whatever that exact name resolves to (cloud metadata and
 * non-unicast addresses excepted).
 */

export type AllowEntry =
  | ({ readonly kind: "cidr" } & Cidr)
  | { readonly kind: "host"; readonly host: string };

export interface CallbackPolicy {
  readonly allow: readonly AllowEntry[];
}

export function parseAllowlist(csv: string | undefined): CallbackPolicy {
  const entries = (csv ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  return { allow: entries.map(parseEntry) };
}

export function isAddressAllowlisted(policy: CallbackPolicy, address: Ip): boolean {
  return policy.allow.some((entry) => entry.kind === "cidr" && inCidr(address, entry));
}

export function isHostAllowlisted(policy: CallbackPolicy, hostname: string): boolean {
  const name = normaliseHostName(hostname);
  return policy.allow.some((entry) => entry.kind === "host" && entry.host === name);
}

/** Lower-case, without trailing dots: `Example.COM.` and `example.com` are one host. */
export function normaliseHostName(hostname: string): string {
  return hostname.toLowerCase().replace(/\.+$/, "");
}

function parseEntry(entry: string): AllowEntry {
  const fail = (why: string) =>
    new Error(`callback allowlist entry ${JSON.stringify(entry)} ${why} (expected a host name, IP or CIDR)`);

  if (entry.includes("://")) throw fail("is a URL; write only its host name");
  if (entry.includes("/")) {
    const parsed = parseCidr(entry);
    if ("error" in parsed) throw fail(parsed.error);
    return { kind: "cidr", ...parsed };
  }
  const bare = entry.replace(/^\[(.*)\]$/, "$1");
  if (isIP(bare) !== 0) {
    const parsed = parseCidr(`${bare}/${isIP(bare) === 4 ? 32 : 128}`);
    if ("error" in parsed) throw fail(parsed.error);
    return { kind: "cidr", ...parsed };
  }
  return { kind: "host", host: parseHostName(entry, fail) };
}

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

function parseHostName(entry: string, fail: (why: string) => Error): string {
  if (entry.includes("*")) throw fail("has a wildcard; list each host name or use a CIDR");
  if (/[:@?#\s]/.test(entry)) throw fail("is not a bare host name (no scheme, port, path or user)");
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

import type { LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { describe, expect, it } from "vitest";
import { BlockedByPolicyError, HostLookupError } from "../src/errors.ts";
import { createGuardedLookup } from "../src/guarded-lookup.ts";
import { parseAllowlist, type Resolver } from "../src/index.ts";
import { tableResolver } from "./support/verdict.ts";

/** Calls a `net`-style lookup the way `net.connect` does and returns what it handed back. */
function lookupOnce(lookup: LookupFunction, hostname: string, all: boolean) {
  return new Promise<LookupAddress[] | { address: string; family: number }>((resolve, reject) => {
    lookup(hostname, { all }, (error, address, family) => {
      if (error) reject(error);
      else resolve(Array.isArray(address) ? address : { address, family: family ?? 0 });
    });
  });
}

const policy = parseAllowlist("");

describe("guarded lookup (undici connect.lookup)", () => {
  it("hands back every checked address when asked for all, the first otherwise", async () => {
    const dns = tableResolver({ "example.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"] });
    const lookup = createGuardedLookup(policy, dns);
    expect(await lookupOnce(lookup, "example.com", true)).toEqual([
      { address: "93.184.215.14", family: 4 },
      { address: "2606:2800:21f:cb07:6820:80da:af6b:8b2c", family: 6 },
    ]);
    expect(await lookupOnce(lookup, "example.com", false)).toEqual({ address: "93.184.215.14", family: 4 });
  });

  it("refuses the whole name when any record is blocked", async () => {
    const lookup = createGuardedLookup(
      policy,
      tableResolver({ "split.example": ["93.184.215.14", "10.0.0.7"] }),
    );
    await expect(lookupOnce(lookup, "split.example", true)).rejects.toThrow(BlockedByPolicyError);
    await expect(lookupOnce(lookup, "split.example", false)).rejects.toThrow(/10\.0\.0\.7 is private/);
  });

  it("resolves on every connection: a rebinding name is refused on its second answer", async () => {
    const answers = [["93.184.215.14"], ["127.0.0.1"]];
    const calls: string[] = [];
    const rebinding: Resolver = async (hostname) => {
      calls.push(hostname);
      return (answers.shift() ?? []).map((address) => ({ address, family: 4 as const }));
    };
    const lookup = createGuardedLookup(policy, rebinding);
    expect(await lookupOnce(lookup, "rebind.example", true)).toEqual([
      { address: "93.184.215.14", family: 4 },
    ]);
    await expect(lookupOnce(lookup, "rebind.example", true)).rejects.toThrow(
      "blocked by callback policy: rebind.example resolves to 127.0.0.1 is loopback (127.0.0.0/8)",
    );
    expect(calls).toEqual(["rebind.example", "rebind.example"]);
  });

  it("reports a name that does not resolve, or resolves to nothing, as a lookup failure", async () => {
    const lookup = createGuardedLookup(policy, tableResolver({ "empty.example": [] }));
    await expect(lookupOnce(lookup, "nxdomain.example", true)).rejects.toThrow(HostLookupError);
    await expect(lookupOnce(lookup, "empty.example", true)).rejects.toThrow(/no addresses/);
  });

  it("refuses a resolver answer that is not an IP address", async () => {
    const lookup = createGuardedLookup(policy, async () => [{ address: "localhost", family: 4 }]);
    await expect(lookupOnce(lookup, "odd.example", true)).rejects.toThrow(/not an IP address/);
  });
});

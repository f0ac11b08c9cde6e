import { describe, expect, it } from "vitest";
import { parseAllowlist } from "../src/index.ts";

const summary = (csv: string | undefined) =>
  parseAllowlist(csv).allow.map((entry) => (entry.kind === "cidr" ? entry.text : `host:${entry.host}`));

describe("parseAllowlist", () => {
  it("is empty when unset or blank", () => {
    expect(summary(undefined)).toEqual([]);
    expect(summary("")).toEqual([]);
    expect(summary(" , ,")).toEqual([]);
  });

  it("reads CIDRs, bare IPs and host names, normalised", () => {
    expect(
      summary(" 10.20.0.0/16, 192.168.1.10 ,fd12:3456::/32, [fd00::7], Hooks.Example.COM., bücher.example"),
    ).toEqual([
      "10.20.0.0/16",
      "192.168.1.10/32",
      "fd12:3456::/32",
      "fd00::7/128",
      "host:hooks.example.com",
      "host:xn--bcher-kva.example",
    ]);
  });

  it("turns an IPv4-mapped IPv6 CIDR into the IPv4 range it means", () => {
    expect(summary("::ffff:10.20.0.0/112")).toEqual(["10.20.0.0/16"]);
  });

  it.each([
    ["10.20.3.4/16", /has host bits set; did you mean 10\.20\.0\.0\/16\?/],
    ["10.0.0.0/33", /prefix longer than \/32/],
    ["fd00::/129", /prefix longer than \/128/],
    ["10.0.0/8", /not a valid CIDR/],
    ["10.0.0.0/8/1", /not a valid CIDR/],
    ["*.corp.example", /wildcard/],
    ["https://hooks.example.com", /is a URL/],
    ["hooks.example.com:8443", /not a bare host name/],
    ["user@hooks.example.com", /not a bare host name/],
    ["under score-.example", /not a bare host name/],
    ["bad-.example", /not a valid host name/],
    ["a..b", /not a valid host name/],
    ["10.1", /looks like an IP address/],
    ["0x7f000001", /looks like an IP address/],
  ])("refuses %s with a clear message", (entry, message) => {
    expect(() => parseAllowlist(`10.0.0.0/8, ${entry}`)).toThrow(message);
    expect(() => parseAllowlist(entry)).toThrow(`callback allowlist entry ${JSON.stringify(entry)}`);
  });
});

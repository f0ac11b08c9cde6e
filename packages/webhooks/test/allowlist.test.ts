import { describe, expect, it } from "vitest";
import { parseAllowlist } from "../src/index.ts";

const summary = (csv: string | undefined) =>
  parseAllowlist(csv).allow.map((entry) => {
    const what = entry.kind === "cidr" ? entry.text : `host:${entry.host}`;
    if (entry.ports === null) return what;
    const { lo, hi } = entry.ports;
    return `${what} port ${lo === hi ? lo : `${lo}-${hi}`}`;
  });

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

  it("reads a port or a port range on any entry (IPv6 in brackets); none means every port", () => {
    expect(
      summary(
        "hooks.example.com:8443, 10.0.0.5:8443, 10.0.0.0/8:443, [fd00::1]:8443, [fd00::/8]:8000-8099, " +
          "Hooks.Example.:8000-8099, localhost:1-65535, [10.0.0.6]:80, [::ffff:10.0.0.0/104]:443, 10.0.0.7",
      ),
    ).toEqual([
      "host:hooks.example.com port 8443",
      "10.0.0.5/32 port 8443",
      "10.0.0.0/8 port 443",
      "fd00::1/128 port 8443",
      "fd00::/8 port 8000-8099",
      "host:hooks.example port 8000-8099",
      "host:localhost port 1-65535",
      "10.0.0.6/32 port 80",
      "10.0.0.0/8 port 443",
      "10.0.0.7/32",
    ]);
  });

  it("reads an unbracketed IPv6 address as an address: its last group is not a port", () => {
    expect(summary("fd00::1:8443")).toEqual(["fd00::1:8443/128"]);
  });

  it("collects deskgate's own ports, skipping 0 (not listening) and naming a shared one twice", () => {
    const policy = parseAllowlist("", {
      ownPorts: [
        { port: 8080, what: "the api (PORT)" },
        { port: 0, what: "the worker's metrics" },
        { port: 8080, what: "DESKGATE_OWN_PORTS" },
        { port: 8090, what: "the simulator" },
      ],
      localAddresses: ["192.168.1.20", "fe80::1", "not an address"],
    });
    expect([...policy.ownPorts]).toEqual([
      [8080, "the api (PORT), DESKGATE_OWN_PORTS"],
      [8090, "the simulator"],
    ]);
    expect(policy.localAddresses.map(String)).toEqual(["192.168.1.20", "fe80::1"]);
  });

  it.each([
    ["10.20.3.4/16", /has host bits set; did you mean 10\.20\.0\.0\/16\?/],
    ["10.0.0.0/33", /prefix longer than \/32/],
    ["fd00::/129", /prefix longer than \/128/],
    ["10.0.0/8", /not a valid CIDR/],
    ["10.0.0.0/8/1", /not a valid CIDR/],
    ["*.corp.example", /wildcard/],
    ["https://hooks.example.com", /is a URL/],
    ["hooks.example.com:0", /bad port "0": ports are 1-65535, a range is lo-hi/],
    ["10.0.0.5:65536", /bad port "65536"/],
    ["10.0.0.5:123456", /bad port "123456"/],
    ["hooks.example.com:", /bad port ""/],
    ["hooks.example.com:https", /bad port "https"/],
    ["hooks.example.com:8000-", /bad port "8000-"/],
    ["hooks.example.com:1-2-3", /bad port "1-2-3"/],
    ["hooks.example.com:0-80", /bad port "0-80"/],
    ["hooks.example.com:9000-8000", /port range 9000-8000 that ends before it starts/],
    ["hooks.example.com:8443/path", /bad port "8443\/path"/],
    ["10.0.0.0/8:99999", /bad port "99999"/],
    ["[fd00::1]8443", /text after \] that is not :port/],
    ["[fd00::1:8443", /unclosed \[/],
    ["[hooks.example.com]:80", /brackets around something that is not an IP address or CIDR/],
    ["fd00::/8:8000", /put the address in brackets: \[fd00::\/8\]:<port>/],
    ["fd00::1:8000-8099", /put the address in brackets: \[fd00::1\]:<port>/],
    ["[fd00::1/129]:80", /prefix longer than \/128/],
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

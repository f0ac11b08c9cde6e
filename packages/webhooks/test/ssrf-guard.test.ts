import { describe, expect, it } from "vitest";
import { checkAddress, parseAllowlist } from "../src/index.ts";
import { tableResolver, verdict } from "./support/verdict.ts";

// Every case of RELIABILITY.md 3, through both guard stages (see support/verdict.ts).

const dns = tableResolver({
  "example.com": ["93.184.215.14"],
  localhost: ["127.0.0.1", "::1"],
  "localhost.": ["127.0.0.1"],
  "app.localhost": ["127.0.0.1"],
  "127.0.0.1.nip.io": ["127.0.0.1"],
  "split.example": ["93.184.215.14", "10.0.0.7"],
  "split6.example": ["2606:4700:4700::1111", "::1"],
  "intranet.corp.example": ["10.20.3.4"],
  "hooks.corp.example": ["10.1.2.3"],
  "other.corp.example": ["10.1.2.3"],
  "evil.corp.example": ["169.254.169.254"],
});

const noAllowlist = parseAllowlist(undefined);

const MUST_BLOCK: [url: string, reason: RegExp][] = [
  ["http://127.0.0.1/", /^127\.0\.0\.1 is loopback/],
  ["http://127.1/", /^127\.0\.0\.1 is loopback/],
  ["http://2130706433/", /^127\.0\.0\.1 is loopback/],
  ["http://017700000001/", /^127\.0\.0\.1 is loopback/],
  ["http://0177.0.0.1/", /^127\.0\.0\.1 is loopback/],
  ["http://0x7f000001/", /^127\.0\.0\.1 is loopback/],
  ["http://[::1]/", /loopback/],
  ["http://0/", /unspecified/],
  ["http://0.0.0.0/", /unspecified/],
  ["http://[::]/", /unspecified/],
  ["http://[::ffff:127.0.0.1]/", /IPv4 127\.0\.0\.1\) is loopback/],
  ["http://[::ffff:169.254.169.254]/", /IPv4 169\.254\.169\.254\) is a cloud metadata endpoint/],
  ["http://[::127.0.0.1]/", /IPv4-compatible/],
  ["http://10.0.0.1/", /private/],
  ["http://172.16.0.1/", /private/],
  ["http://192.168.1.1/", /private/],
  ["http://100.64.0.1/", /carrier-grade NAT/],
  ["http://169.254.169.254/latest/meta-data/", /cloud metadata endpoint/],
  ["http://0xA9FEA9FE/", /^169\.254\.169\.254 is a cloud metadata endpoint/],
  ["http://2852039166/", /^169\.254\.169\.254 is a cloud metadata endpoint/],
  ["http://[fd00:ec2::254]/", /cloud metadata endpoint/],
  ["http://100.100.100.200/", /cloud metadata endpoint/],
  ["http://224.0.0.1/", /multicast/],
  ["http://255.255.255.255/", /broadcast/],
  ["http://240.0.0.1/", /reserved/],
  ["http://198.18.0.1/", /benchmarking/],
  ["http://192.0.2.1/", /documentation/],
  ["http://[fc00::1]/", /unique-local/],
  ["http://[fe80::1]/", /link-local/],
  ["http://[fec0::1]/", /site-local/],
  ["http://[ff02::1]/", /multicast/],
  ["http://[64:ff9b::7f00:1]/", /IPv4 127\.0\.0\.1\) is loopback/],
  ["http://[2002:7f00:1::1]/", /IPv4 127\.0\.0\.1\) is loopback/],
  ["http://[2001::1]/", /Teredo/],
  ["http://[2001:db8::1]/", /documentation/],
  ["http://[100::1]/", /discard-only/],
  ["file:///etc/passwd", /scheme "file"/],
  ["gopher://127.0.0.1:6379/_x", /scheme "gopher"/],
  ["javascript:alert(1)", /scheme "javascript"/],
  ["http://user:pass@example.com/", /credentials/],
  // Names, answered by the table resolver.
  ["http://localhost/", /loopback name/],
  ["http://localhost./", /loopback name/],
  ["http://app.localhost/", /loopback name/],
  ["http://127.0.0.1.nip.io/", /127\.0\.0\.1\.nip\.io resolves to 127\.0\.0\.1 is loopback/],
  ["http://split.example/", /split\.example resolves to 10\.0\.0\.7 is private/],
  ["http://split6.example/", /split6\.example resolves to ::1 is loopback/],
];

const ALSO_BLOCKED: [url: string, reason: RegExp][] = [
  ["http://１２７.０.０.１/", /^127\.0\.0\.1 is loopback/],
  ["http://127.0.0.1./", /^127\.0\.0\.1 is loopback/],
  ["http://[0:0:0:0:0:ffff:7f00:1]/", /IPv4 127\.0\.0\.1\) is loopback/],
  ["http://[::ffff:0.0.0.0]/", /unspecified/],
  ["http://169.254.170.2/", /cloud metadata endpoint/],
  ["http://192.0.0.192/", /cloud metadata endpoint/],
  ["http://192.0.0.1/", /IETF protocol assignments/],
  ["http://[::ffff:0:7f00:1]/", /IPv4-translated/],
  ["http://[64:ff9b:1::1]/", /local-use NAT64/],
  ["http://[64:ff9b::a9fe:a9fe]/", /IPv4 169\.254\.169\.254\) is a cloud metadata endpoint/],
  ["http://[2001:2::1]/", /benchmarking/],
  ["http://[3fff::1]/", /documentation/],
  ["http://[4000::1]/", /outside IPv6 global unicast/],
  ["not a url", /not a valid absolute URL/],
];

const MUST_ALLOW = [
  "https://example.com/hook",
  "http://93.184.215.14/cb",
  "https://1.1.1.1/",
  "http://[2606:4700:4700::1111]/",
  "http://[::ffff:8.8.8.8]/",
  "http://100.63.255.255/",
  "http://100.128.0.1/",
  "http://172.15.255.255/",
  "http://172.32.0.1/",
  "http://192.167.255.255/",
  "http://169.253.255.255/",
  "http://11.0.0.1/",
  // NAT64 and 6to4 forms of a public address.
  "http://[64:ff9b::808:808]/",
  "http://[2002:808:808::1]/",
];

describe("SSRF guard without an allowlist", () => {
  it.each(MUST_BLOCK)("blocks %s", async (url, reason) => {
    expect(await verdict(url, noAllowlist, dns)).toMatch(reason);
  });

  it.each(ALSO_BLOCKED)("also blocks %s", async (url, reason) => {
    expect(await verdict(url, noAllowlist, dns)).toMatch(reason);
  });

  it.each(MUST_ALLOW)("allows %s", async (url) => {
    expect(await verdict(url, noAllowlist, dns)).toBe("allowed");
  });
});

describe("SSRF guard with allowlist 10.20.0.0/16", () => {
  const policy = parseAllowlist("10.20.0.0/16");

  it.each(["http://10.20.3.4:8080/cb", "http://[::ffff:10.20.3.4]/", "http://intranet.corp.example/"])(
    "allows %s",
    async (url) => {
      expect(await verdict(url, policy, dns)).toBe("allowed");
    },
  );

  it.each([
    ["http://10.21.0.1/", /private/],
    ["http://169.254.169.254/", /cloud metadata endpoint/],
    ["http://127.0.0.1/", /loopback/],
    ["http://[64:ff9b::a14:304]/", /IPv4 10\.20\.3\.4\) is private/],
  ])("still blocks %s", async (url, reason) => {
    expect(await verdict(url, policy, dns)).toMatch(reason);
  });
});

describe("hard deny and non-unicast, even under an allow-everything list", () => {
  const everything = parseAllowlist("0.0.0.0/0, ::/0");

  it("really does open private ranges", async () => {
    expect(await verdict("http://10.0.0.1/", everything, dns)).toBe("allowed");
    expect(await verdict("http://[fc00::1]/", everything, dns)).toBe("allowed");
  });

  it.each([
    ["http://169.254.169.254/", /cloud metadata/],
    ["http://169.254.170.2/", /cloud metadata/],
    ["http://[fd00:ec2::254]/", /cloud metadata/],
    ["http://100.100.100.200/", /cloud metadata/],
    ["http://192.0.0.192/", /cloud metadata/],
    ["http://[::ffff:169.254.169.254]/", /cloud metadata/],
    ["http://[64:ff9b::a9fe:a9fe]/", /cloud metadata/],
    ["http://0.0.0.0/", /unspecified/],
    ["http://[::]/", /unspecified/],
    ["http://224.0.0.1/", /multicast/],
    ["http://[ff02::1]/", /multicast/],
    ["http://255.255.255.255/", /broadcast/],
  ])("blocks %s", async (url, reason) => {
    expect(await verdict(url, everything, dns)).toMatch(reason);
  });
});

describe("host name allowlist entries", () => {
  const policy = parseAllowlist("hooks.corp.example, localhost");

  it("trust what the exact name resolves to, case-insensitively, trailing dot ignored", async () => {
    expect(await verdict("http://hooks.corp.example/", policy, dns)).toBe("allowed");
    expect(
      await verdict(
        "http://HOOKS.Corp.Example./",
        policy,
        tableResolver({ "hooks.corp.example.": ["10.1.2.3"] }),
      ),
    ).toBe("allowed");
    expect(await verdict("http://localhost/", policy, dns)).toBe("allowed");
  });

  it("open nothing for other names, and never the metadata endpoints", async () => {
    expect(await verdict("http://other.corp.example/", policy, dns)).toMatch(/10\.1\.2\.3 is private/);
    const rebound = tableResolver({ "hooks.corp.example": ["169.254.169.254"] });
    expect(await verdict("http://hooks.corp.example/", policy, rebound)).toMatch(/cloud metadata/);
  });
});

describe("checkAddress", () => {
  it("takes only canonical IP text, as sockets and dns.lookup produce it", () => {
    for (const text of ["0177.0.0.1", "2130706433", "127.1", "example.com", ""]) {
      expect(checkAddress(text, 443, noAllowlist)).toEqual({
        ok: false,
        reason: `${JSON.stringify(text)} is not an IP address`,
      });
    }
  });

  it("judges canonical addresses", () => {
    expect(checkAddress("93.184.215.14", 443, noAllowlist)).toEqual({ ok: true });
    expect(checkAddress("::ffff:127.0.0.1", 443, noAllowlist)).toEqual({
      ok: false,
      reason: "::ffff:127.0.0.1 (IPv4 127.0.0.1) is loopback (127.0.0.0/8)",
    });
  });
});

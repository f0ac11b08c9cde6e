import type { LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { describe, expect, it } from "vitest";
import {
  checkAddress,
  checkCallbackUrl,
  createGuardedLookup,
  ownPortsFromConfig,
  parseAllowlist,
} from "../src/index.ts";
import { tableResolver, verdict } from "./support/verdict.ts";

// Ports on allowlist entries, deskgate's own ports and well-known service ports (issue 17.4),
// through both guard stages: the request-time URL check and, for names, the connect-time check
// of every resolved address for the URL's port (support/verdict.ts).

const dns = tableResolver({
  "hooks.corp.example": ["10.1.2.3"],
  "intranet.corp.example": ["10.20.3.4"],
  "self.example": ["127.0.0.1"],
  "self6.example": ["::1"],
  "public.example": ["93.184.215.14"],
  "me.example": ["93.184.215.99"], // this host's own public address (localAddresses below)
  localhost: ["127.0.0.1", "::1"],
});

/** The stack's own ports as api/worker main.ts pass them, and one public address of this host. */
const OWN = {
  ownPorts: [
    { port: 8080, what: "the api (PORT)" },
    { port: 9464, what: "the worker's metrics (DESKGATE_WORKER_METRICS_PORT)" },
    { port: 8090, what: "the upstream on this host (DESKGATE_VDI_URL)" },
  ],
  localAddresses: ["93.184.215.99", "192.168.7.20"],
};

describe("allowlist entries with ports", () => {
  const policy = parseAllowlist(
    "127.0.0.1:8099, 10.0.0.0/8:443, hooks.corp.example:8443, [fd00::1]:8000-8099, 192.168.0.0/16",
    OWN,
  );

  it.each([
    "http://127.0.0.1:8099/callbacks",
    "https://10.9.8.7/",
    "http://10.9.8.7:443/",
    "http://hooks.corp.example:8443/",
    "http://[fd00::1]:8000/",
    "http://[fd00::1]:8099/",
    "http://192.168.1.1:1234/",
    "http://public.example:6379/", // public and not this host: not the guard's business
  ])("allows %s", async (url) => {
    expect(await verdict(url, policy, dns)).toBe("allowed");
  });

  it.each([
    [
      "http://127.0.0.1/",
      /^127\.0\.0\.1 is loopback \(127\.0\.0\.0\/8\) on port 80; the allowlist opens it only on port 8099$/,
    ],
    ["http://127.0.0.1:8098/", /on port 8098; the allowlist opens it only on port 8099$/],
    [
      "http://10.9.8.7/",
      /^10\.9\.8\.7 is private \(10\.0\.0\.0\/8\) on port 80; the allowlist opens it only on port 443$/,
    ],
    [
      "http://[fd00::1]:8100/",
      /^fd00::1 is unique-local \(fc00::\/7\) on port 8100; .* only on ports 8000-8099$/,
    ],
    ["http://[::ffff:127.0.0.1]:8098/", /IPv4 127\.0\.0\.1\) is loopback .* only on port 8099$/],
    // A name listed for one port: its private address stays blocked on the others.
    [
      "http://hooks.corp.example:8444/",
      /^blocked by callback policy: hooks\.corp\.example resolves to 10\.1\.2\.3 is private .* on port 8444; .* only on ports 443, 8443$/,
    ],
  ])("blocks %s", async (url, reason) => {
    expect(await verdict(url, policy, dns)).toMatch(reason);
  });

  it("checks a name that resolves into a port-restricted CIDR for the URL's port", async () => {
    const only443 = parseAllowlist("10.0.0.0/8:443", OWN);
    expect(await verdict("https://intranet.corp.example/hook", only443, dns)).toBe("allowed");
    expect(await verdict("http://intranet.corp.example:8443/hook", only443, dns)).toBe(
      "blocked by callback policy: intranet.corp.example resolves to 10.20.3.4 is private (10.0.0.0/8) " +
        "on port 8443; the allowlist opens it only on port 443",
    );
  });

  it("judges a loopback name listed with a port on that port only", async () => {
    const inbox = parseAllowlist("localhost:8099", OWN);
    expect(await verdict("http://localhost:8099/callbacks", inbox, dns)).toBe("allowed");
    expect(checkCallbackUrl("http://localhost:8098/", inbox)).toEqual({
      ok: false,
      reason: "localhost is a loopback name",
    });
  });
});

describe("deskgate's own ports", () => {
  // The old dev allowlist: every port of 127.0.0.1 (and of this host's LAN address) open.
  const wide = parseAllowlist("127.0.0.1/32, ::1, 192.168.0.0/16, 10.0.0.0/8, localhost", OWN);

  it.each([
    ["http://127.0.0.1:8080/ops/login", /^127\.0\.0\.1 port 8080 is deskgate's own port: the api \(PORT\)$/],
    ["http://127.0.0.1:8090/_sim/reset", /port 8090 is deskgate's own port: the upstream on this host/],
    ["http://127.0.0.1:9464/metrics", /port 9464 is deskgate's own port: the worker's metrics/],
    ["http://127.0.0.2:8080/", /^127\.0\.0\.2 port 8080 is deskgate's own port/], // all of 127/8
    ["http://[::1]:8080/", /^::1 port 8080 is deskgate's own port/],
    ["http://[::ffff:127.0.0.1]:8090/_sim/reset", /IPv4 127\.0\.0\.1\) port 8090 is deskgate's own port/],
    ["http://[64:ff9b::7f00:1]:8080/", /IPv4 127\.0\.0\.1\) port 8080 is deskgate's own port/],
    ["http://192.168.7.20:8080/ops", /^192\.168\.7\.20 port 8080 is deskgate's own port/], // this host's LAN address
    ["http://93.184.215.99:8080/", /^93\.184\.215\.99 port 8080 is deskgate's own port/], // its public one
    ["http://localhost:8080/", /^localhost \(loopback\) port 8080 is deskgate's own port/],
    [
      "http://self.example:8090/_sim/reset",
      /^blocked by callback policy: self\.example resolves to 127\.0\.0\.1 port 8090 is deskgate's own port/,
    ],
    ["http://self6.example:8080/", /self6\.example resolves to ::1 port 8080 is deskgate's own port/],
    ["http://me.example:9464/", /me\.example resolves to 93\.184\.215\.99 port 9464 is deskgate's own port/],
  ])("refuses %s whatever the allowlist says", async (url, reason) => {
    expect(await verdict(url, wide, dns)).toMatch(reason);
  });

  it("refuses them even to an entry naming the exact port", async () => {
    const exact = parseAllowlist("127.0.0.1:8080, localhost:8080", OWN);
    expect(await verdict("http://127.0.0.1:8080/", exact, dns)).toMatch(/deskgate's own port/);
    expect(await verdict("http://localhost:8080/", exact, dns)).toMatch(/deskgate's own port/);
  });

  it("leaves the same port on other hosts alone", async () => {
    expect(await verdict("http://10.20.3.4:8080/cb", wide, dns)).toBe("allowed");
    expect(await verdict("http://intranet.corp.example:8080/cb", wide, dns)).toBe("allowed");
    expect(await verdict("http://public.example:8080/cb", wide, dns)).toBe("allowed");
    expect(await verdict("http://127.0.0.1:8081/cb", wide, dns)).toBe("allowed");
  });

  it("are none unless given", async () => {
    expect(await verdict("http://127.0.0.1:8080/", parseAllowlist("127.0.0.1/32"), dns)).toBe("allowed");
  });
});

describe("well-known service ports on local and non-public addresses", () => {
  const wide = parseAllowlist("127.0.0.1/32, 10.0.0.0/8, localhost", OWN);

  it.each([
    [
      "http://127.0.0.1:5432/",
      /^127\.0\.0\.1 port 5432 is PostgreSQL's port on a local address; only an allowlist entry naming port 5432 opens it$/,
    ],
    ["http://127.0.0.1:6379/", /port 6379 is Redis's port on a local address/],
    ["http://10.1.2.3:6379/", /^10\.1\.2\.3 port 6379 is Redis's port on a non-public address/],
    ["http://localhost:6379/", /^localhost \(loopback\) port 6379 is Redis's port/],
    ["http://93.184.215.99:2375/containers/x/kill", /port 2375 is the Docker API's port on a local address/],
    ["http://hooks.corp.example:9200/", /resolves to 10\.1\.2\.3 port 9200 is Elasticsearch's port/],
    ["http://127.0.0.1:11211/", /memcached/],
  ])("refuses %s under a wide allowlist", async (url, reason) => {
    expect(await verdict(url, wide, dns)).toMatch(reason);
  });

  it("opens one only to an entry naming that exact port (a range does not count)", async () => {
    const exact = parseAllowlist("127.0.0.1:6379, hooks.corp.example:9200", OWN);
    expect(await verdict("http://127.0.0.1:6379/", exact, dns)).toBe("allowed");
    expect(await verdict("http://hooks.corp.example:9200/", exact, dns)).toBe("allowed");
    const range = parseAllowlist("127.0.0.1:6000-6500", OWN);
    expect(await verdict("http://127.0.0.1:6379/", range, dns)).toMatch(/Redis's port/);
    expect(await verdict("http://127.0.0.1:6380/", range, dns)).toBe("allowed");
  });

  it("leaves public receivers on those ports alone", async () => {
    expect(await verdict("http://93.184.215.14:5432/", wide, dns)).toBe("allowed");
  });
});

describe("a lookup that is not told the port (the upstream's connect.lookup)", () => {
  function lookupAll(lookup: LookupFunction, hostname: string) {
    return new Promise<LookupAddress[]>((resolve, reject) => {
      lookup(hostname, { all: true }, (error, addresses) => {
        if (error) reject(error);
        else resolve(addresses as LookupAddress[]);
      });
    });
  }

  it("trusts only entries without a port", async () => {
    const anyPort = createGuardedLookup(parseAllowlist("10.0.0.0/8"), dns);
    expect(await lookupAll(anyPort, "hooks.corp.example")).toEqual([{ address: "10.1.2.3", family: 4 }]);
    const portBound = createGuardedLookup(parseAllowlist("10.0.0.0/8:443"), dns);
    await expect(lookupAll(portBound, "hooks.corp.example")).rejects.toThrow(
      "hooks.corp.example resolves to 10.1.2.3 is private (10.0.0.0/8) on an unknown port; " +
        "the allowlist opens it only on port 443",
    );
  });

  it("checks for the port it was made for", async () => {
    const policy = parseAllowlist("10.0.0.0/8:443, 127.0.0.1/32", OWN);
    expect(await lookupAll(createGuardedLookup(policy, dns, 443), "hooks.corp.example")).toHaveLength(1);
    await expect(lookupAll(createGuardedLookup(policy, dns, 80), "hooks.corp.example")).rejects.toThrow(
      /on port 80; the allowlist opens it only on port 443/,
    );
    await expect(lookupAll(createGuardedLookup(policy, dns, 8080), "self.example")).rejects.toThrow(
      /deskgate's own port/,
    );
  });
});

describe("checkAddress with a port", () => {
  it("judges the address on that port", () => {
    const policy = parseAllowlist("127.0.0.1:8099", OWN);
    expect(checkAddress("127.0.0.1", 8099, policy)).toEqual({ ok: true });
    expect(checkAddress("127.0.0.1", 8080, policy)).toEqual({
      ok: false,
      reason: "127.0.0.1 port 8080 is deskgate's own port: the api (PORT)",
    });
    // Metadata endpoints and non-unicast addresses come first, port or not.
    expect(checkAddress("169.254.169.254", 8080, policy)).toMatchObject({ reason: /cloud metadata/ });
  });
});

describe("ownPortsFromConfig", () => {
  const base = {
    PORT: 8080,
    DESKGATE_WORKER_METRICS_PORT: 9464,
    DESKGATE_VDI_URL: "http://127.0.0.1:8090",
    DESKGATE_HPC_URL: "http://127.0.0.1:8090",
    DATABASE_URL: "postgres://deskgate@localhost:5433/deskgate",
    DESKGATE_OWN_PORTS: [443],
  };

  it("lists the api, the worker's metrics, a local upstream and database, and DESKGATE_OWN_PORTS", () => {
    expect(ownPortsFromConfig(base, [])).toEqual([
      { port: 8080, what: "the api (PORT)" },
      { port: 9464, what: "the worker's metrics (DESKGATE_WORKER_METRICS_PORT)" },
      { port: 8090, what: "the upstream on this host (DESKGATE_VDI_URL, DESKGATE_HPC_URL)" },
      { port: 5433, what: "the database (DATABASE_URL)" },
      { port: 443, what: "DESKGATE_OWN_PORTS" },
    ]);
  });

  it("leaves out a metrics port of 0 and an upstream or database on another host", () => {
    const remote = {
      ...base,
      DESKGATE_WORKER_METRICS_PORT: 0,
      DESKGATE_VDI_URL: "https://workspace.cn-north-4.myhuaweicloud.com",
      DESKGATE_HPC_URL: "https://10.0.0.9:8443",
      DATABASE_URL: "postgres://deskgate@db.internal/deskgate",
      DESKGATE_OWN_PORTS: [],
    };
    expect(ownPortsFromConfig(remote, [])).toEqual([{ port: 8080, what: "the api (PORT)" }]);
  });

  it("counts this host's interface addresses and default ports as this host's", () => {
    const lan = {
      ...base,
      DESKGATE_VDI_URL: "https://10.0.0.5/",
      DESKGATE_HPC_URL: "http://[::1]:7000",
      DATABASE_URL: "postgres://deskgate@10.0.0.5/deskgate",
      DESKGATE_OWN_PORTS: [],
    };
    expect(ownPortsFromConfig(lan, ["10.0.0.5"]).slice(2)).toEqual([
      { port: 443, what: "the upstream on this host (DESKGATE_VDI_URL)" },
      { port: 7000, what: "the upstream on this host (DESKGATE_HPC_URL)" },
      { port: 5432, what: "the database (DATABASE_URL)" },
    ]);
  });
});

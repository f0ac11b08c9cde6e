import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UpstreamError } from "../src/errors.ts";
import { JsonHttpClient } from "../src/http.ts";
import { createRateLimiter } from "../src/rate-limit.ts";
import { createUpstreamUrlPolicy } from "../src/url-policy.ts";

/**
 * Upstream-supplied URLs (SCNet's hpcUrls) go through the address policy with ports (issues
 * 17.3, 17.4): an allowlist entry `127.0.0.1:<port>` opens a name that resolves there on that
 * port only. Real HTTP on loopback; the name is resolved by a stub resolver.
 */
const servers: Server[] = [];
const ports: number[] = [];
let connections = 0;

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    const server = createServer((_req, res) =>
      res.writeHead(200, { "content-type": "application/json" }).end("{}"),
    );
    server.on("connection", () => connections++);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    servers.push(server);
    ports.push((server.address() as AddressInfo).port);
  }
});
afterAll(async () => {
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
});

describe("upstream URL policy with ports", () => {
  it("a name resolving to an allowlisted address is reached on the entry's port, refused on another", async () => {
    const policy = createUpstreamUrlPolicy({
      allowlist: `127.0.0.1:${ports[0]}`,
      allowHttp: true,
      resolver: async () => [{ address: "127.0.0.1", family: 4 }],
    });
    const client = new JsonHttpClient({
      timeoutMs: 5000,
      limiter: createRateLimiter(0),
      connect: policy.connect,
    });
    expect(policy.refusal(`http://hpc.example:${ports[0]}/`)).toBeNull(); // a name: checked when connecting
    const ok = await client.call("GET", `http://hpc.example:${ports[0]}/`, {});
    expect(ok.status).toBe(200);
    const before = connections;
    const refused = await client.call("GET", `http://hpc.example:${ports[1]}/`, {}).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UpstreamError);
    expect(refused).toMatchObject({ transient: false, reason: "invalid" });
    expect((refused as Error).message).toMatch(/refused by the upstream address policy/);
    expect(connections).toBe(before); // never connected
    expect(policy.refusal(`http://127.0.0.1:${ports[1]}/`)).toMatch(/port/); // a literal: at once
    await client.close();
  });
});

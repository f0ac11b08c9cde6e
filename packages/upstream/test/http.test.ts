import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UpstreamError } from "../src/errors.ts";
import { JsonHttpClient } from "../src/http.ts";
import { createRateLimiter } from "../src/rate-limit.ts";

/**
 * Upstream answers are read with a bound (issue 17.10): an upstream that streams without end
 * (hostile, or broken) fails the call, permanently, instead of filling the worker's memory.
 * A real HTTP server on loopback.
 */
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/small") return res.end('{"ok":true}');
    // 64 KiB chunks for as long as the client reads: far past any bound
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    res.write("[");
    const pump = () => {
      while (res.write(chunk)) if (res.destroyed) return;
      res.once("drain", pump);
    };
    res.on("close", () => res.removeAllListeners("drain"));
    pump();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe("JsonHttpClient", () => {
  it("reads an answer within the bound", async () => {
    const client = new JsonHttpClient({
      timeoutMs: 5000,
      limiter: createRateLimiter(0),
      maxResponseBytes: 1024,
    });
    const res = await client.call("GET", `${base}/small`, {});
    expect(res).toMatchObject({ status: 200, body: { ok: true } });
    await client.close();
  });

  it("refuses an answer past the bound: a permanent UpstreamError naming the path, quickly", async () => {
    const client = new JsonHttpClient({
      timeoutMs: 10_000,
      limiter: createRateLimiter(0),
      maxResponseBytes: 1024 * 1024,
    });
    const error = await client.call("GET", `${base}/endless`, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ transient: false, reason: "invalid" });
    expect((error as Error).message).toBe("GET /endless answered more than 1048576 bytes; not read");
    await client.close();
  });
});

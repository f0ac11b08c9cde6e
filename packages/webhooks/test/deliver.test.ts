import { Webhook } from "standardwebhooks";
import { Agent, request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import {
  type CallbackPolicy,
  createDeliverer,
  createGuardedConnector,
  type Deliverer,
  type DelivererOptions,
  generateWebhookSecret,
  parseAllowlist,
  type Resolver,
  webhookHeaders,
} from "../src/index.ts";
import { closedPort, type Handler, type Receiver, startReceiver } from "./support/receiver.ts";
import { tableResolver } from "./support/verdict.ts";

// Real HTTP against local receivers; 127.0.0.1/32 is allowlisted so they are reachable.
const localPolicy = parseAllowlist("127.0.0.1/32");
const body = JSON.stringify({ data: { task_id: "0b6f3f0e" }, message: "ok", status: "0" });
const secret = generateWebhookSecret();
const headers = () =>
  webhookHeaders({
    secrets: [secret],
    msgId: "msg_deliver",
    timestampSec: Math.floor(Date.now() / 1000),
    body,
  });

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function receiver(handler: Handler, opts?: { host?: string; port?: number }): Promise<Receiver> {
  const started = await startReceiver(handler, opts);
  cleanups.push(() => started.close());
  return started;
}

/** Two receivers on different loopback addresses sharing a port, as one name's two answers would. */
async function receiversOnOnePort(
  a: { host: string; handler: Handler },
  b: { host: string; handler: Handler },
): Promise<[Receiver, Receiver]> {
  for (let tries = 0; ; tries++) {
    const first = await receiver(a.handler, { host: a.host });
    try {
      return [first, await receiver(b.handler, { host: b.host, port: first.port })];
    } catch (error) {
      if (tries >= 5 || (error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    }
  }
}

function deliverer(opts: Partial<DelivererOptions> & { policy?: CallbackPolicy } = {}): Deliverer {
  const created = createDeliverer({ policy: localPolicy, ...opts });
  cleanups.push(() => created.close());
  return created;
}

const reply =
  (status: number, text = "", extraHeaders: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(status, extraHeaders).end(text);
  };

describe("createDeliverer", () => {
  it("POSTs the exact signed bytes and reports a 2xx as delivered", async () => {
    const target = await receiver(reply(200, "thanks"));
    const dns = tableResolver({ "receiver.test": ["127.0.0.1"] });
    const sent = headers();

    const result = await deliverer({ resolver: dns }).deliver({
      url: `http://receiver.test:${target.port}/hook?x=1`,
      body,
      headers: sent,
    });

    expect(result).toMatchObject({
      ok: true,
      status: 200,
      errorClass: null,
      responsePrefix: "thanks",
      retryAfterSec: null,
      gone: false,
      detail: null,
    });
    expect(Number.isInteger(result.latencyMs) && result.latencyMs >= 0).toBe(true);
    expect(dns.calls).toEqual(["receiver.test"]);
    const [received] = target.requests;
    expect(received).toMatchObject({ method: "POST", path: "/hook?x=1", body });
    expect(received!.headers).toMatchObject(sent);
    expect(new Webhook(secret).verify(received!.body, received!.headers as Record<string, string>)).toEqual(
      JSON.parse(body),
    );
  });

  it("reports a 500 as http_status with the response prefix", async () => {
    const target = await receiver(reply(500, "boom"));
    const result = await deliverer().deliver({ url: `${target.origin}/hook`, body, headers: headers() });
    expect(result).toMatchObject({
      ok: false,
      status: 500,
      errorClass: "http_status",
      responsePrefix: "boom",
    });
    expect(result.detail).toBe("HTTP 500");
    expect(result.gone).toBe(false);
  });

  it("reports 410 as gone", async () => {
    const target = await receiver(reply(410));
    const result = await deliverer().deliver({ url: target.origin, body, headers: headers() });
    expect(result).toMatchObject({ ok: false, status: 410, errorClass: "http_status", gone: true });
  });

  it("does not follow a redirect to the metadata endpoint", async () => {
    const target = await receiver(reply(302, "", { location: "http://169.254.169.254/" }));
    const result = await deliverer().deliver({ url: target.origin, body, headers: headers() });
    expect(result).toMatchObject({ ok: false, status: 302, errorClass: "http_status", gone: false });
    expect(result.detail).toBe("HTTP 302 redirect to http://169.254.169.254/ (redirects are not followed)");
    expect(target.requests).toHaveLength(1);
  });

  it("never contacts a redirect target, even an allowed one", async () => {
    const redirectTarget = await receiver(reply(200));
    const target = await receiver(reply(307, "", { location: `${redirectTarget.origin}/stolen` }));
    const result = await deliverer().deliver({ url: target.origin, body, headers: headers() });
    expect(result).toMatchObject({ ok: false, status: 307, errorClass: "http_status" });
    expect(redirectTarget.connections()).toBe(0);
  });

  it("records a receiver slower than the timeout as a timeout", async () => {
    const target = await receiver(() => {}); // never answers
    const result = await deliverer({ timeoutMs: 200 }).deliver({
      url: target.origin,
      body,
      headers: headers(),
    });
    expect(result).toMatchObject({ ok: false, status: 0, errorClass: "timeout", responsePrefix: "" });
    expect(result.latencyMs).toBeGreaterThanOrEqual(190);
    expect(target.requests).toHaveLength(1);
  });

  it("records a closed port as refused", async () => {
    const port = await closedPort();
    const result = await deliverer().deliver({ url: `http://127.0.0.1:${port}/`, body, headers: headers() });
    expect(result).toMatchObject({ ok: false, status: 0, errorClass: "refused" });
    expect(result.detail).toMatch(/ECONNREFUSED/);
  });

  it("records an unresolvable name as dns", async () => {
    const result = await deliverer({ resolver: tableResolver({}) }).deliver({
      url: "http://nxdomain.test/",
      body,
      headers: headers(),
    });
    expect(result).toMatchObject({ ok: false, status: 0, errorClass: "dns" });
    expect(result.detail).toMatch(/could not resolve nxdomain\.test/);
  });

  it("records a failed TLS handshake as tls", async () => {
    const plainHttp = await receiver(reply(200));
    const result = await deliverer().deliver({
      url: `https://127.0.0.1:${plainHttp.port}/`,
      body,
      headers: headers(),
    });
    expect(result).toMatchObject({ ok: false, status: 0, errorClass: "tls" });
  });

  it("keeps at most 4096 bytes of the response, cut at a character boundary", async () => {
    const ascii = await receiver(reply(500, "a".repeat(100_000)));
    const euros = await receiver(reply(500, "€".repeat(3000))); // 3 bytes each
    const deliver = deliverer();
    const asciiResult = await deliver.deliver({ url: ascii.origin, body, headers: headers() });
    const euroResult = await deliver.deliver({ url: euros.origin, body, headers: headers() });
    expect(asciiResult.responsePrefix).toBe("a".repeat(4096));
    expect(euroResult.responsePrefix).toBe("€".repeat(1365));
    expect(Buffer.byteLength(euroResult.responsePrefix)).toBe(4095);
  });

  it("stops reading an endless body after the prefix and drops the connection", async () => {
    let streamClosed!: Promise<void>;
    const endless = await receiver((_req, res) => {
      streamClosed = new Promise((resolve) => res.on("close", resolve));
      res.writeHead(200);
      res.write("x".repeat(8192)); // …and never ends
    });
    // Far longer than vitest's 5 s test timeout: only stopping at the prefix lets this pass.
    const result = await deliverer({ timeoutMs: 60_000 }).deliver({
      url: endless.origin,
      body,
      headers: headers(),
    });
    expect(result).toMatchObject({ ok: true, status: 200, responsePrefix: "x".repeat(4096) });
    await streamClosed;
  });

  it("parses Retry-After in seconds and as an HTTP date", async () => {
    const serverNow = new Date("2030-01-01T00:00:00Z");
    const inSeconds = await receiver(reply(429, "", { "retry-after": "120" }));
    const asDate = await receiver(
      reply(503, "", {
        date: serverNow.toUTCString(),
        "retry-after": new Date(serverNow.getTime() + 90_000).toUTCString(),
      }),
    );
    const deliver = deliverer();
    expect(await deliver.deliver({ url: inSeconds.origin, body, headers: headers() })).toMatchObject({
      status: 429,
      retryAfterSec: 120,
    });
    expect(await deliver.deliver({ url: asDate.origin, body, headers: headers() })).toMatchObject({
      status: 503,
      retryAfterSec: 90,
    });
  });
});

describe("createDeliverer SSRF guard at delivery time", () => {
  it("refuses a literal blocked address without connecting", async () => {
    const target = await receiver(reply(200));
    const result = await deliverer({ policy: parseAllowlist("") }).deliver({
      url: target.origin,
      body,
      headers: headers(),
    });
    expect(result).toMatchObject({ ok: false, status: 0, errorClass: "blocked_by_policy" });
    expect(result.detail).toBe("callback URL 127.0.0.1 is loopback (127.0.0.0/8)");
    expect(target.connections()).toBe(0);
  });

  it("refuses a name with one public and one private record, connecting to neither", async () => {
    const target = await receiver(reply(200));
    const dns = tableResolver({ "split.test": ["93.184.215.14", "127.0.0.1"] });
    const result = await deliverer({ policy: parseAllowlist(""), resolver: dns }).deliver({
      url: `http://split.test:${target.port}/`,
      body,
      headers: headers(),
    });
    expect(result).toMatchObject({ ok: false, status: 0, errorClass: "blocked_by_policy" });
    expect(result.detail).toMatch(/split\.test resolves to 127\.0\.0\.1 is loopback/);
    expect(target.connections()).toBe(0);
  });

  // The first answer must be acceptable *and* reachable without sending test traffic off this
  // machine, so an allowlisted loopback alias (127.0.0.2) stands in for the public address.
  it("refuses a rebinding name on its second answer, without connecting", async () => {
    const [good, rebindTarget] = await receiversOnOnePort(
      { host: "127.0.0.2", handler: reply(200, "ok", { connection: "close" }) },
      { host: "127.0.0.1", handler: reply(200) },
    );
    const answers = ["127.0.0.2", "127.0.0.1"];
    let lookups = 0;
    const rebinding: Resolver = async () => {
      lookups++;
      return [{ address: answers.shift() ?? "127.0.0.1", family: 4 }];
    };
    const deliver = deliverer({ policy: parseAllowlist("127.0.0.2/32"), resolver: rebinding });
    const url = `http://rebind.test:${good.port}/hook`;

    expect(await deliver.deliver({ url, body, headers: headers() })).toMatchObject({ ok: true, status: 200 });
    const second = await deliver.deliver({ url, body, headers: headers() });

    expect(second).toMatchObject({ ok: false, status: 0, errorClass: "blocked_by_policy" });
    expect(second.detail).toMatch(/rebind\.test resolves to 127\.0\.0\.1 is loopback/);
    expect(lookups).toBe(2);
    expect(good.requests).toHaveLength(1);
    expect(rebindTarget.connections()).toBe(0);
  });
});

// Issue 17.4: an allowlist entry opens its addresses on its ports only, and deskgate's own ports
// on this host stay refused whatever the allowlist says — at the request-time check and when the
// Agent connects (a name is resolved once and its addresses checked for the port connected to).
describe("createDeliverer ports (real HTTP)", () => {
  const own = (port: number) => [{ port, what: "the api (PORT)" }];

  it("delivers to the allowlisted port only, and never to an own port even under 127.0.0.1/32", async () => {
    const [inbox, other, api] = await Promise.all([
      receiver(reply(204)),
      receiver(reply(200)),
      receiver(reply(200)),
    ]);
    const narrow = deliverer({
      policy: parseAllowlist(`127.0.0.1:${inbox.port}`, { ownPorts: own(api.port) }),
    });
    const wide = deliverer({ policy: parseAllowlist("127.0.0.1/32", { ownPorts: own(api.port) }) });

    const delivered = await narrow.deliver({ url: `${inbox.origin}/callbacks`, body, headers: headers() });
    const elsewhere = await narrow.deliver({ url: `${other.origin}/`, body, headers: headers() });
    const ownPort = await wide.deliver({ url: `${api.origin}/ops/login`, body, headers: headers() });
    const otherUnderWide = await wide.deliver({ url: `${other.origin}/`, body, headers: headers() });

    expect(delivered).toMatchObject({ ok: true, status: 204 });
    expect(inbox.requests).toHaveLength(1);
    expect(elsewhere).toMatchObject({ ok: false, status: 0, errorClass: "blocked_by_policy" });
    expect(elsewhere.detail).toBe(
      `callback URL 127.0.0.1 is loopback (127.0.0.0/8) on port ${other.port}; the allowlist opens it only on port ${inbox.port}`,
    );
    expect(ownPort).toMatchObject({ ok: false, status: 0, errorClass: "blocked_by_policy" });
    expect(ownPort.detail).toBe(
      `callback URL 127.0.0.1 port ${api.port} is deskgate's own port: the api (PORT)`,
    );
    expect(api.connections()).toBe(0);
    expect(otherUnderWide).toMatchObject({ ok: true, status: 200 }); // the wide list still opens the rest
    expect(other.requests).toHaveLength(1);
  });

  it("checks a name's addresses for the port it connects to: right port delivered, wrong or own port refused", async () => {
    const [inbox, other, api] = await Promise.all([
      receiver(reply(200)),
      receiver(reply(200)),
      receiver(reply(200)),
    ]);
    const dns = tableResolver({ "inbox.test": ["127.0.0.1"] });
    const narrow = deliverer({
      policy: parseAllowlist(`127.0.0.0/8:${inbox.port}`, { ownPorts: own(api.port) }),
      resolver: dns,
    });
    const wide = deliverer({
      policy: parseAllowlist("127.0.0.1/32", { ownPorts: own(api.port) }),
      resolver: dns,
    });

    // A name passes the request-time check: only the connect-time check can stop these.
    const ok = await narrow.deliver({ url: `http://inbox.test:${inbox.port}/cb`, body, headers: headers() });
    const wrongPort = await narrow.deliver({
      url: `http://inbox.test:${other.port}/`,
      body,
      headers: headers(),
    });
    const ownPort = await wide.deliver({
      url: `http://inbox.test:${api.port}/ops`,
      body,
      headers: headers(),
    });

    expect(ok).toMatchObject({ ok: true, status: 200 });
    expect(wrongPort).toMatchObject({ ok: false, status: 0, errorClass: "blocked_by_policy" });
    expect(wrongPort.detail).toMatch(
      `inbox.test resolves to 127.0.0.1 is loopback (127.0.0.0/8) on port ${other.port}; the allowlist opens it only on port ${inbox.port}`,
    );
    expect(ownPort).toMatchObject({ ok: false, status: 0, errorClass: "blocked_by_policy" });
    expect(ownPort.detail).toMatch(
      `inbox.test resolves to 127.0.0.1 port ${api.port} is deskgate's own port`,
    );
    expect(other.connections()).toBe(0);
    expect(api.connections()).toBe(0);
    expect(dns.calls).toEqual(["inbox.test", "inbox.test", "inbox.test"]); // one lookup per connection
  });

  it("as an Agent's connect: refuses a literal address on a port its entry does not open, without connecting", async () => {
    const [inbox, other] = await Promise.all([receiver(reply(200)), receiver(reply(200))]);
    const agent = new Agent({
      connect: createGuardedConnector(parseAllowlist(`127.0.0.1:${inbox.port}`), tableResolver({})),
    });
    cleanups.push(() => agent.close());
    const answer = await request(`${inbox.origin}/`, { dispatcher: agent, method: "POST", body: "{}" });
    await answer.body.dump();
    expect(answer.statusCode).toBe(200);
    // request() skips checkCallbackUrl: the connector itself must refuse.
    await expect(
      request(`${other.origin}/`, { dispatcher: agent, method: "POST", body: "{}" }),
    ).rejects.toMatchObject({ code: "ERR_BLOCKED_BY_POLICY" });
    expect(other.connections()).toBe(0);
  });
});

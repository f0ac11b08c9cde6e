import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createSim, SIM_URL_POLICY } from "@deskgate/sim";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pickToken } from "../src/adapters/scnet/adapter.ts";
import { createScnetPlatform, type HpcToken, type ScnetPlatform, UpstreamError } from "../src/index.ts";
import { simControl } from "./sim-harness.ts";

const ACCOUNT = { user: "hpcuser", password: "hpc-pass", orgId: "org-1" };

describe("SCNet adapter on the simulator", () => {
  let server: Awaited<ReturnType<ReturnType<typeof createSim>["listen"]>>;
  let control: ReturnType<typeof simControl>;
  let hpc: ScnetPlatform;

  beforeAll(async () => {
    server = await createSim({ jobPhaseMs: 10, tokenTtlMs: 60_000 }).listen(0);
    control = simControl(server.url);
    hpc = createScnetPlatform({
      baseUrl: server.url,
      requestTimeoutMs: 500,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
      urlPolicy: SIM_URL_POLICY,
    });
  });
  afterEach(() => control.faults({}));
  afterAll(async () => {
    await hpc.close();
    await server.close();
  });

  const failure = async (p: Promise<unknown>) => {
    const e = await p.then(
      () => null,
      (error: unknown) => error,
    );
    expect(e).toBeInstanceOf(UpstreamError);
    return e as UpstreamError;
  };

  it("token → centre → open twice (same session) → list → launch URL → close → close again", async () => {
    const token: HpcToken = await hpc.getToken(ACCOUNT);
    expect(token).toEqual({ token: expect.any(String), clusterId: "11112", clusterName: "sim-cluster" });
    const hpcUrl = await hpc.discoverHpcUrl(token.token);
    expect(hpcUrl).toBe(server.url); // the disabled entry is skipped
    const session = await hpc.openVnc(hpcUrl, token.token);
    expect(session).toMatchObject({ user: "hpcuser", sessionId: expect.stringContaining("hpcuser") });
    for (const key of ["id", "createDate", "hostname", "jobs", "length", "width", "name", "sid", "ip"]) {
      expect(session[key as keyof typeof session]).toEqual(expect.any(String));
    }
    expect(await hpc.openVnc(hpcUrl, token.token)).toEqual(session);
    expect(await hpc.listVnc(hpcUrl, token.token)).toEqual([session]);
    const url = await hpc.launchUrl(hpcUrl, token.token, session.sessionId);
    expect(url).toMatch(/^https:\/\//);
    await hpc.closeVnc(hpcUrl, token.token, session.sessionId);
    expect(await hpc.listVnc(hpcUrl, token.token)).toEqual([]);
    await hpc.closeVnc(hpcUrl, token.token, session.sessionId); // 815010 → success
  });

  it('wrong credentials and an expired token give reason "auth"; renewal gives a working token', async () => {
    const bad = await failure(hpc.getToken({ ...ACCOUNT, password: "nope" }));
    expect(bad).toMatchObject({ reason: "auth", transient: false, platformCode: "10008" });
    const short = createSim({ tokenTtlMs: 1 });
    const s = await short.listen(0);
    const local = createScnetPlatform({
      baseUrl: s.url,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      urlPolicy: SIM_URL_POLICY,
    });
    try {
      const { token } = await local.getToken(ACCOUNT);
      await new Promise((r) => setTimeout(r, 5));
      const expired = await failure(local.discoverHpcUrl(token));
      expect(expired).toMatchObject({ reason: "auth", transient: false, platformCode: "10008" });
      expect(expired.message).toContain("权限不足");
      const renewed = await local.renewToken(token);
      expect(renewed.token).not.toBe(token);
      // (the renewed token expires as fast; renewing once more works again)
      expect((await local.renewToken(renewed.token)).token).toEqual(expect.any(String));
    } finally {
      await local.close();
      await s.close();
    }
  });

  it("an injected 815201 (all VNC nodes overloaded) is transient and retried; lasting, it surfaces", async () => {
    const { token } = await hpc.getToken(ACCOUNT);
    const hpcUrl = await hpc.discoverHpcUrl(token);
    await control.faults({
      fail_next: { route: "PUT /hpc/openapi/v2/desktop/vnc", code: "815201", count: 1 },
    });
    expect((await hpc.openVnc(hpcUrl, token)).sessionId).toEqual(expect.any(String));
    await control.faults({
      fail_next: { route: "PUT /hpc/openapi/v2/desktop/vnc", code: "815201", count: 100 },
    });
    const e = await failure(hpc.openVnc(hpcUrl, token));
    expect(e).toMatchObject({ transient: true, platformCode: "815201" });
    expect(e.message).toContain("VNC");
  });

  it("10011 (rate) and HTTP 500 are transient; 10003/10004 are the caller's fault; others keep msg", async () => {
    const { token } = await hpc.getToken(ACCOUNT);
    const hpcUrl = await hpc.discoverHpcUrl(token);
    await control.faults({ fail_next: { code: "10011", count: 100 } });
    expect(await failure(hpc.listVnc(hpcUrl, token))).toMatchObject({ transient: true, reason: "throttled" });
    await control.faults({ fail_next: { status: 500, count: 100 } });
    expect(await failure(hpc.listVnc(hpcUrl, token))).toMatchObject({
      transient: true,
      reason: "unavailable",
    });
    await control.faults({});
    const missing = await failure(hpc.getToken({ ...ACCOUNT, orgId: "" }));
    expect(missing).toMatchObject({ transient: false, reason: "invalid", platformCode: "10003" });
    const unknown = await failure(hpc.launchUrl(hpcUrl, token, "no-such-session"));
    expect(unknown).toMatchObject({ transient: false, reason: "invalid", platformCode: "10004" });
    await control.faults({ fail_next: { code: "815008", count: 1 } });
    const service = await failure(hpc.listVnc(hpcUrl, token));
    expect(service).toMatchObject({ transient: false, platformCode: "815008" });
    expect(service.message).toContain("桌面服务异常");
  });

  it("a timeout is transient", async () => {
    const { token } = await hpc.getToken(ACCOUNT);
    await control.faults({ timeout_rate: 1 });
    expect(await failure(hpc.discoverHpcUrl(token))).toMatchObject({ transient: true, reason: "timeout" });
  });
});

describe("SCNet HPC URLs pass the upstream address policy", () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
  });

  /** An "internal admin" endpoint on loopback that records every request (and its token header). */
  async function internalAdmin() {
    const seen: { url: string; token: string | undefined }[] = [];
    const server = createServer((req, res) => {
      seen.push({ url: req.url ?? "", token: req.headers.token as string | undefined });
      res.end('{"code":"0","msg":"success","data":null}');
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/internal-admin`, seen };
  }

  async function hostile(
    hpcUrls: { url: string; enable: string }[],
    urlPolicy: Parameters<typeof createScnetPlatform>[0]["urlPolicy"],
  ) {
    const server = await createSim({ jobPhaseMs: 10, hpcUrls }).listen(0);
    const hpc = createScnetPlatform({
      baseUrl: server.url,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      urlPolicy,
    });
    closers.push(async () => {
      await hpc.close();
      await server.close();
    });
    return { hpc, token: (await hpc.getToken(ACCOUNT)).token };
  }

  const refusal = async (p: Promise<unknown>) => {
    const e = await p.then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(UpstreamError);
    return e as UpstreamError;
  };

  it("a centre naming a loopback URL is refused, permanently, and nothing is sent there", async () => {
    const admin = await internalAdmin();
    const { hpc, token } = await hostile([{ url: admin.url, enable: "true" }], { allowHttp: true });
    const e = await refusal(hpc.discoverHpcUrl(token));
    expect(e).toMatchObject({ transient: false, reason: "invalid" });
    expect(e.message).toMatch(/refused by the upstream address policy.*127\.0\.0\.1 is loopback/);
    // a URL cached before (or handed in directly) is checked again on use
    expect((await refusal(hpc.openVnc(admin.url, token))).message).toMatch(/loopback/);
    expect(admin.seen).toEqual([]);
  });

  it("http is refused unless allowed; metadata and private addresses are refused; the next allowed entry is taken", async () => {
    const admin = await internalAdmin();
    const strict = await hostile(
      [{ url: admin.url.replace("127.0.0.1", "example.com"), enable: "true" }],
      {},
    );
    expect((await refusal(strict.hpc.discoverHpcUrl(strict.token))).message).toMatch(/uses http/);
    const { hpc, token } = await hostile(
      [
        { url: "https://169.254.169.254/latest", enable: "true" },
        { url: "https://10.0.0.5/", enable: "true" },
        { url: "https://hpc.example.com/", enable: "true" },
      ],
      {},
    );
    expect(await hpc.discoverHpcUrl(token)).toBe("https://hpc.example.com");
    const none = await hostile([{ url: "https://[::ffff:10.1.2.3]/", enable: "true" }], {});
    expect((await refusal(none.hpc.discoverHpcUrl(none.token))).message).toMatch(/10\.1\.2\.3/);
    expect(admin.seen).toEqual([]);
  });

  it("a host name that resolves to loopback is refused when connecting (no request arrives)", async () => {
    const admin = await internalAdmin();
    const port = new URL(admin.url).port;
    const server = await createSim({ jobPhaseMs: 10 }).listen(0);
    const hpc = createScnetPlatform({
      baseUrl: server.url,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      urlPolicy: { allowHttp: true, resolver: async () => [{ address: "127.0.0.1", family: 4 }] },
    });
    closers.push(async () => {
      await hpc.close();
      await server.close();
    });
    const { token } = await hpc.getToken(ACCOUNT);
    const e = await refusal(hpc.openVnc(`http://rebind.example:${port}/internal-admin`, token));
    expect(e).toMatchObject({ transient: false, reason: "invalid" });
    expect(e.message).toMatch(/refused by the upstream address policy/);
    expect(admin.seen).toEqual([]);
  });
});

describe("pickToken (one token per cluster)", () => {
  const list = [
    { clusterId: 0, clusterName: "ac", token: "platform" },
    { clusterId: "11112", clusterName: "east", token: null },
    { clusterId: "11113", clusterName: "west", token: "west-token" },
  ];
  it("skips the platform token and a suspended cluster by default; a configured one is taken as is", () => {
    expect(pickToken("t", list, null)).toEqual({
      token: "west-token",
      clusterId: "11113",
      clusterName: "west",
    });
    expect(pickToken("t", list, "west").token).toBe("west-token");
    expect(() => pickToken("t", list, "east")).toThrow(
      /no token for cluster 11112 \(east\): the account is suspended/,
    );
    expect(() => pickToken("t", [list[0]], null)).toThrow(/no computing cluster/);
    expect(() => pickToken("t", null, null)).toThrow(UpstreamError);
  });
});

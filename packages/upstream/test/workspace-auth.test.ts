import { createSim, type SimOptions, simConnection } from "@deskgate/sim";
import { afterEach, describe, expect, it } from "vitest";
import {
  createWorkspacePlatform,
  UpstreamError,
  type WorkspaceAuth,
  type WorkspaceOptions,
} from "../src/index.ts";
import { simControl } from "./sim-harness.ts";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function start(
  auth: (url: string) => WorkspaceAuth,
  sim: SimOptions = {},
  extra: Partial<WorkspaceOptions> = {},
) {
  const server = await createSim({ jobPhaseMs: 10, ...sim }).listen(0);
  const platform = createWorkspacePlatform({
    ...simConnection(server.url),
    auth: auth(server.url),
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...extra,
  });
  closers.push(async () => {
    await platform.close();
    await server.close();
  });
  const control = simControl(server.url);
  return { platform, stats: async () => (await control.state()).stats };
}

const password = (iamUrl: string): WorkspaceAuth => ({
  mode: "password",
  iamUrl,
  domain: "sim-domain",
  user: "sim-user",
  password: "sim-password",
});

const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now()) + 20));

async function refusal(p: Promise<unknown>): Promise<UpstreamError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UpstreamError);
  return e as UpstreamError;
}

describe("Workspace auth against the simulator's gateway", () => {
  it("AK/SK: signed calls pass; a wrong secret is a permanent auth failure (401 APIGW.0301)", async () => {
    const good = await start(() => ({ mode: "aksk", accessKey: "sim-ak", secretKey: "sim-sk" }));
    expect(await good.platform.findUser("nobody")).toBeNull();
    const bad = await start(() => ({ mode: "aksk", accessKey: "sim-ak", secretKey: "wrong" }));
    const e = await refusal(bad.platform.findUser("nobody"));
    expect(e).toMatchObject({
      transient: false,
      reason: "auth",
      platformCode: "APIGW.0301",
      httpStatus: 401,
    });
    expect((await bad.stats()).auth_rejected).toBe(1); // not retried
  });

  it("AK/SK with a clock 20 minutes off is refused as expired", async () => {
    const skewed = await start(
      () => ({ mode: "aksk", accessKey: "sim-ak", secretKey: "sim-sk" }),
      {},
      { clock: { now: () => new Date(Date.now() - 20 * 60_000) } },
    );
    const e = await refusal(skewed.platform.findUser("nobody"));
    expect(e.message).toMatch(/expired/);
  });

  it("a temporary AK/SK sends and signs its X-Security-Token", async () => {
    const h = await start(
      () => ({ mode: "aksk", accessKey: "sim-ak", secretKey: "sim-sk", securityToken: "sts-1" }),
      { securityToken: "sts-1" },
    );
    expect(await h.platform.findUser("nobody")).toBeNull();
  });

  it("IAM password: concurrent first calls share one login", async () => {
    const h = await start(password);
    await Promise.all(Array.from({ length: 8 }, (_, i) => h.platform.findUser(`u${i}`)));
    expect((await h.stats()).iam_tokens_issued).toBe(1);
  });

  it("IAM password: keeps working past the token's life, renewing before it ends", async () => {
    const ttl = 300;
    const h = await start(password, { iamTokenTtlMs: ttl });
    const until = Date.now() + 3 * ttl;
    while (Date.now() < until) {
      expect(await h.platform.findUser("nobody")).toBeNull();
      await new Promise((r) => setTimeout(r, 25));
    }
    const stats = await h.stats();
    expect(stats.iam_tokens_issued).toBeGreaterThanOrEqual(3);
  });

  it("IAM password: a 401 to a token the adapter thought valid renews it once and retries", async () => {
    const frozen = new Date(); // the adapter's clock never moves, so it never renews on its own
    const h = await start(password, { iamTokenTtlMs: 200 }, { clock: { now: () => frozen } });
    expect(await h.platform.findUser("nobody")).toBeNull();
    await sleepUntil(Date.now() + 200);
    expect(await h.platform.findUser("nobody")).toBeNull();
    expect(await h.stats()).toMatchObject({ iam_tokens_issued: 2, auth_rejected: 1 });
  });

  it("IAM password: a wrong password fails permanently with IAM's message", async () => {
    const h = await start((url) => ({ ...(password(url) as object), password: "nope" }) as WorkspaceAuth);
    const e = await refusal(h.platform.findUser("nobody"));
    expect(e).toMatchObject({ transient: false, reason: "auth", httpStatus: 401 });
    expect(e.message).toMatch(/username or password is wrong/);
  });

  it("IAM agency: the user's token is exchanged for the agency's project token", async () => {
    const h = await start((iamUrl) => ({
      mode: "agency",
      iamUrl,
      domain: "sim-domain",
      user: "sim-user",
      password: "sim-password",
      agencyDomain: "sim-tenant",
      agencyName: "deskgate-workspace",
    }));
    expect(await h.platform.findUser("nobody")).toBeNull();
    expect((await h.stats()).iam_tokens_issued).toBe(2);
  });

  it("a fixed token the gateway does not know is refused, not retried", async () => {
    const h = await start(() => ({ mode: "token", token: "made-up" }));
    const e = await refusal(h.platform.findUser("nobody"));
    expect(e).toMatchObject({ reason: "auth", platformCode: "APIGW.0301" });
    expect((await h.stats()).auth_rejected).toBe(1);
  });
});

import { describe, expect, it } from "vitest";
import { expectedSignature } from "../src/auth/signature.ts";
import { type Harness, start } from "./helpers.ts";

const sdkDate = (at: Date) => `${at.toISOString().slice(0, 19).replace(/[-:]/g, "")}Z`;

/** Signs a call as the SDK would (host, x-project-id, x-sdk-date), with the simulator's own verifier. */
async function signedCall(
  h: Harness,
  method: string,
  path: string,
  opts: { body?: string; secretKey?: string; at?: Date; accessKey?: string; tamper?: string } = {},
) {
  const url = new URL(h.url + path);
  const date = sdkDate(opts.at ?? new Date());
  const headers: Record<string, string> = {
    host: url.host,
    "x-project-id": "sim-project",
    "x-sdk-date": date,
  };
  const signed = Object.keys(headers).sort();
  const signature = expectedSignature({
    method,
    url,
    header: (n) => headers[n],
    signedHeaders: signed,
    body: opts.body ?? "",
    sdkDate: date,
    secretKey: opts.secretKey ?? "sim-sk",
  });
  return h.call(method, path, opts.tamper ?? opts.body, {
    "X-Project-Id": "sim-project",
    "X-Sdk-Date": date,
    Authorization: `SDK-HMAC-SHA256 Access=${opts.accessKey ?? "sim-ak"}, SignedHeaders=${signed.join(";")}, Signature=${signature}`,
  });
}

const login = (h: Harness, password = "sim-password", scope: unknown = { project: { id: "sim-project" } }) =>
  h.call("POST", "/v3/auth/tokens", {
    auth: {
      identity: {
        methods: ["password"],
        password: { user: { name: "sim-user", password, domain: { name: "sim-domain" } } },
      },
      scope,
    },
  });

describe("the simulator's API gateway auth", () => {
  it("verifies Huawei's own vector (huaweicloud-sdk-go-v3 signer_test.go, TestSigner_Sign test1)", () => {
    expect(
      expectedSignature({
        method: "GET",
        url: new URL("https://example.huaweicloud.com/path?limit=1"),
        header: (n) => (n === "x-sdk-date" ? "20060102T150405Z" : undefined),
        signedHeaders: ["x-sdk-date"],
        body: "",
        sdkDate: "20060102T150405Z",
        secretKey: "SecretKey",
      }),
    ).toBe("5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624");
  });

  it("accepts a good signature and refuses a wrong one, a stale date, an unknown AK and a changed body", async () => {
    const h = await start();
    const body = JSON.stringify({
      user_name: "signed1",
      active_type: "ADMIN_ACTIVATE",
      password: "Str0ng!Pass",
    });
    expect((await signedCall(h, "GET", "/v2/sim-project/users?user_name=a%20b&limit=5")).status).toBe(200);
    expect((await signedCall(h, "POST", "/v2/sim-project/users", { body })).status).toBe(201);
    const refusals = [
      await signedCall(h, "GET", "/v2/sim-project/users", { secretKey: "wrong" }),
      await signedCall(h, "GET", "/v2/sim-project/users", { at: new Date(Date.now() - 16 * 60_000) }),
      await signedCall(h, "GET", "/v2/sim-project/users", { at: new Date(Date.now() + 16 * 60_000) }),
      await signedCall(h, "GET", "/v2/sim-project/users", { accessKey: "other-ak" }),
      await signedCall(h, "POST", "/v2/sim-project/users", {
        body,
        tamper: body.replace("signed1", "signed2"),
      }),
      await h.call("GET", "/v2/sim-project/users"),
      await h.call("GET", "/v2/sim-project/users", undefined, { "X-Auth-Token": "made-up" }),
    ];
    for (const r of refusals) {
      expect(r.status).toBe(401);
      expect(r.body).toEqual({
        error_code: "APIGW.0301",
        error_msg: expect.stringMatching(/^Incorrect IAM/),
      });
    }
    expect(refusals[1]!.body.error_msg).toMatch(/expired/);
    // nothing refused was acted on
    const users = (await h.call("GET", "/_sim/state")).body.users.map(
      (u: { user_name: string }) => u.user_name,
    );
    expect(users).toContain("signed1");
    expect(users).not.toContain("signed2");
  });

  it("requires a temporary AK/SK's X-Security-Token", async () => {
    const h = await start({ securityToken: "sts-1" });
    const r = await signedCall(h, "GET", "/v2/sim-project/users");
    expect(r.status).toBe(401);
    expect(r.body.error_msg).toMatch(/X-Security-Token/);
  });

  it("issues IAM tokens at /v3/auth/tokens that work until they expire", async () => {
    const h = await start({ iamTokenTtlMs: 300 });
    const res = await login(h);
    expect(res.status).toBe(201);
    const token = res.headers.get("x-subject-token")!;
    expect(token).toBeTruthy();
    const expiresAt = Date.parse(res.body.token.expires_at);
    expect(expiresAt - Date.parse(res.body.token.issued_at)).toBe(300);
    const ok = await h.call("GET", "/v2/sim-project/users", undefined, { "X-Auth-Token": token });
    expect(ok.status).toBe(200);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 20));
    const late = await h.call("GET", "/v2/sim-project/users", undefined, { "X-Auth-Token": token });
    expect(late.status).toBe(401);
    expect(late.body).toEqual({ error_code: "APIGW.0301", error_msg: expect.stringMatching(/expired/) });
    expect((await h.call("GET", "/_sim/state")).body.stats).toMatchObject({
      iam_tokens_issued: 1,
      auth_rejected: 1,
    });
  });

  it("refuses a wrong password, a foreign project and domain-scoped tokens on the platform", async () => {
    const h = await start();
    const bad = await login(h, "nope");
    expect(bad.status).toBe(401);
    expect(bad.body.error).toMatchObject({ code: 401, title: "Unauthorized" });
    expect((await login(h, "sim-password", { project: { id: "other" } })).status).toBe(401);
    const domainToken = (await login(h, "sim-password", { domain: { name: "sim-domain" } })).headers.get(
      "x-subject-token",
    )!;
    const r = await h.call("GET", "/v2/sim-project/users", undefined, { "X-Auth-Token": domainToken });
    expect(r.status).toBe(401);
  });

  it("assume_role: the user's token buys a project token of the agency", async () => {
    const h = await start();
    const own = (await login(h, "sim-password", { domain: { name: "sim-domain" } })).headers.get(
      "x-subject-token",
    )!;
    const body = (agency: string) => ({
      auth: {
        identity: {
          methods: ["assume_role"],
          assume_role: { domain_name: "sim-tenant", agency_name: agency },
        },
        scope: { project: { id: "sim-project" } },
      },
    });
    expect((await h.call("POST", "/v3/auth/tokens", body("deskgate-workspace"))).status).toBe(401);
    expect((await h.call("POST", "/v3/auth/tokens", body("other"), { "X-Auth-Token": own })).status).toBe(
      403,
    );
    const res = await h.call("POST", "/v3/auth/tokens", body("deskgate-workspace"), { "X-Auth-Token": own });
    expect(res.status).toBe(201);
    const token = res.headers.get("x-subject-token")!;
    expect((await h.call("GET", "/v2/sim-project/users", undefined, { "X-Auth-Token": token })).status).toBe(
      200,
    );
  });
});

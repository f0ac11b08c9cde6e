import { describe, expect, it } from "vitest";
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  hwEscape,
  sdkDate,
  signRequest,
} from "../src/adapters/workspace/auth/signer.ts";

/**
 * Fixed vectors for SDK-HMAC-SHA256. Where each comes from:
 * - GO1, GO2: the expected values of `TestSigner_Sign` in huaweicloud/huaweicloud-sdk-go-v3
 *   `core/auth/signer/signer_test.go` (mirror commit 1cd70eb). GO2's body is what the Go SDK
 *   hashes: `json.Encoder` output of `{Name:"test",Id:1}`, trailing newline included.
 * - CQ: `TestSigner_canonicalQueryString` of the same file.
 * - NODE1..3: produced by running `AKSKSigner.sign` of the published Node SDK
 *   (`@huaweicloud/huaweicloud-sdk-core` 3.1.211, `auth/AKSKSigner.js`) in a scratch folder on
 *   these inputs; that signer signs `host` and every header given, as our client does.
 */
const GO = { accessKey: "AccessKey", secretKey: "SecretKey" };
const GO_DATE = new Date("2006-01-02T15:04:05Z");
const NODE = { accessKey: "HPUAEXAMPLEAK0000001", secretKey: "exampleSecretKey/0123456789abcdefghijKLMN" };
const NODE_DATE = new Date("2026-03-05T10:11:12Z");
const WS = "https://workspace.cn-north-4.myhuaweicloud.com";
const HOST = "workspace.cn-north-4.myhuaweicloud.com";

describe("SDK-HMAC-SHA256 signer", () => {
  it("GO1: a GET with a query; headers with _ are not signed", () => {
    const out = signRequest(
      {
        method: "GET",
        url: "https://example.huaweicloud.com/path?limit=1",
        headers: { TEST_UNDERSCORE: "TEST_VALUE" },
      },
      GO,
      GO_DATE,
    );
    expect(out["X-Sdk-Date"]).toBe("20060102T150405Z");
    expect(out.Authorization).toBe(
      "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, " +
        "Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624",
    );
  });

  it("GO2: a POST with a JSON body; content-type is not signed", () => {
    const out = signRequest(
      {
        method: "POST",
        url: "https://example.huaweicloud.com/path?key=value",
        headers: { TEST_UNDERSCORE: "TEST_VALUE", "Content-Type": "application/json" },
        body: '{"Name":"test","Id":1}\n',
      },
      GO,
      GO_DATE,
    );
    expect(out.Authorization).toBe(
      "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, " +
        "Signature=cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59",
    );
  });

  it("CQ: canonical query string (sorted keys and values, Huawei escaping)", () => {
    const q = new URLSearchParams();
    q.append("limit", "1");
    q.append("enable", "true");
    q.append("test", "一 (&=?!#%.*)");
    q.append("path", "/tmp/123");
    for (const m of ["3", "1", "2"]) q.append("multi", m);
    expect(canonicalQuery(q)).toBe(
      "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29",
    );
  });

  it("NODE1: GET with X-Project-Id and a non-ASCII query value", () => {
    const out = signRequest(
      {
        method: "GET",
        url: `${WS}/v2/0a1b2c3d4e5f/desktops/detail?user_name=${encodeURIComponent("alice 张")}&limit=10&offset=0`,
        headers: { host: HOST, "X-Project-Id": "0a1b2c3d4e5f" },
      },
      NODE,
      NODE_DATE,
    );
    expect(out.Authorization).toBe(
      "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=host;x-project-id;x-sdk-date, " +
        "Signature=4c5fecaa976c128a4e4b773d82fec5516847740d1839371e8ca954136a717932",
    );
  });

  it("NODE2: POST with a body and X-Security-Token (temporary AK/SK)", () => {
    const out = signRequest(
      {
        method: "POST",
        url: `${WS}/v2/0a1b2c3d4e5f/users`,
        headers: { host: HOST, "X-Project-Id": "0a1b2c3d4e5f", "X-Security-Token": "temp-token-abc" },
        body: JSON.stringify({
          user_name: "alice",
          user_email: "a@example.com",
          active_type: "ADMIN_ACTIVATE",
        }),
      },
      NODE,
      NODE_DATE,
    );
    expect(out.Authorization).toBe(
      "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=host;x-project-id;x-sdk-date;x-security-token, " +
        "Signature=4423d560b67c33714ae33b3eb27c129474e6ab7e2a8272ab0f31aad5ec9a0c46",
    );
  });

  it("NODE3: DELETE with reserved characters in the path and a repeated query key", () => {
    const out = signRequest(
      {
        method: "DELETE",
        url: `${WS}/v2/0a1b2c3d4e5f/desktops/d(1)!*?tag=b&tag=a&x=${encodeURIComponent("1/2")}`,
        headers: { host: HOST, "X-Project-Id": "0a1b2c3d4e5f" },
      },
      NODE,
      NODE_DATE,
    );
    expect(out.Authorization).toBe(
      "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=host;x-project-id;x-sdk-date, " +
        "Signature=35e0246f40fa568d221d379d51d6a71eb8c7e06274b5ae2ba6ef4a2fd9e14303",
    );
  });

  it("builds the canonical request piece by piece", () => {
    expect(sdkDate(new Date("2026-12-05T01:02:03.999Z"))).toBe("20261205T010203Z");
    expect(hwEscape("a-b_c.d~e f/g")).toBe("a-b_c.d~e%20f%2Fg");
    expect(canonicalUri("")).toBe("/");
    expect(canonicalUri("/v2/p/users")).toBe("/v2/p/users/");
    expect(canonicalUri("/v2/p/users/")).toBe("/v2/p/users/");
    expect(canonicalUri("/a%20b")).toBe("/a%20b/");
    expect(
      canonicalRequest(
        { method: "get", url: "https://h/x?b=2&a=1", headers: { Host: "h", "X-Sdk-Date": " d " } },
        ["host", "x-sdk-date"],
      ),
    ).toBe(
      "GET\n/x/\na=1&b=2\nhost:h\nx-sdk-date:d\n\nhost;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });

  it("a different secret, body, path or date gives a different signature", () => {
    const base = { method: "POST", url: `${WS}/v2/p/users`, headers: { host: HOST }, body: "{}" };
    const sig = (r = base, creds = NODE, at = NODE_DATE) => signRequest(r, creds, at).Authorization;
    const ref = sig();
    expect(sig(base, { ...NODE, secretKey: "other" })).not.toBe(ref);
    expect(sig({ ...base, body: "{ }" })).not.toBe(ref);
    expect(sig({ ...base, url: `${WS}/v2/p/user` })).not.toBe(ref);
    expect(sig(base, NODE, new Date(NODE_DATE.getTime() + 1000))).not.toBe(ref);
  });
});

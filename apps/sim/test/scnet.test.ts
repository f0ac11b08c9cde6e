import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type Harness, start } from "./helpers.ts";

const VNC = "/hpc/openapi/v2/desktop/vnc";

async function login(h: Harness): Promise<string> {
  const res = await h.scnet("POST", "/ac/openapi/v2/tokens", undefined, {
    user: "hpcuser",
    password: "hpc-pass",
    orgId: "org-1",
  });
  expect(res.body).toMatchObject({
    code: "0",
    msg: "success",
    data: [
      { clusterId: "0", clusterName: "ac", token: expect.any(String) },
      { clusterId: "11112", clusterName: "sim-cluster", token: expect.any(String) },
      { clusterId: "11113", clusterName: "sim-cluster-2", token: expect.any(String) },
    ],
  });
  // the platform-level token (listed first) is refused by cluster APIs
  expect((await h.scnet("GET", VNC, res.body.data[0].token)).body.code).toBe("10008");
  return res.body.data[1].token;
}

describe("SCNet", () => {
  it("token → center → VNC session life cycle", async () => {
    const h = await start();
    const token = await login(h);
    const center = await h.scnet("GET", "/ac/openapi/v2/center", token);
    expect(center.body.data.hpcUrls).toEqual([
      { url: "http://unreachable.invalid:1", enable: "false" },
      { url: h.url, enable: "true" },
    ]);

    const created = await h.scnet("PUT", VNC, token);
    expect(created.status).toBe(200);
    expect(created.body.code).toBe("0");
    const session = created.body.data;
    expect(Object.keys(session).sort()).toEqual(
      [
        "createDate",
        "hostname",
        "id",
        "ip",
        "jobs",
        "length",
        "name",
        "sessionId",
        "sid",
        "user",
        "width",
      ].sort(),
    );
    expect(session).toMatchObject({ user: "hpcuser", length: "1080", width: "1920" });
    expect(session.sessionId).toBe(`${session.hostname}--hpcuser--${session.jobs}--${session.sid}`);
    expect(session.createDate).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    expect((await h.scnet("PUT", VNC, token)).body.data).toEqual(session);
    expect((await h.scnet("GET", VNC, token)).body).toEqual({ code: "0", msg: "success", data: [session] });

    const launch = await h.scnet("GET", `${VNC}/${session.sessionId}/launchurl`, token);
    expect(launch.body.data).toMatch(/^https:\/\//);

    expect((await h.scnet("DELETE", `${VNC}/${session.sessionId}`, token)).body.code).toBe("0");
    const again = await h.scnet("DELETE", `${VNC}/${session.sessionId}`, token);
    expect(again).toMatchObject({ status: 200, body: { code: "815010", msg: "桌面会话不存在,删除失败" } });
    expect((await h.scnet("GET", VNC, token)).body.data).toEqual([]);
    expect((await h.call("GET", "/_sim/state")).body.tokens_issued).toBe(1);
  });

  it("rejects bad credentials, missing headers and unknown tokens", async () => {
    const h = await start();
    const wrong = await h.scnet("POST", "/ac/openapi/v2/tokens", undefined, {
      user: "hpcuser",
      password: "nope",
      orgId: "org-1",
    });
    expect(wrong.body).toEqual({ code: "10008", msg: "权限不足", data: null });
    const missing = await h.scnet("POST", "/ac/openapi/v2/tokens", undefined, { user: "hpcuser" });
    expect(missing.body).toMatchObject({ code: "10003", msg: "参数不全" });
    expect((await h.scnet("PUT", VNC, "forged")).body.code).toBe("10008");
    expect((await h.scnet("GET", VNC)).body.code).toBe("10003");
  });

  it("expires tokens and renews them with tokens/next", async () => {
    const h = await start({ tokenTtlMs: 300 });
    const token = await login(h);
    expect((await h.scnet("GET", VNC, token)).body.code).toBe("0");
    await expect
      .poll(async () => (await h.scnet("GET", VNC, token)).body, { interval: 20, timeout: 2000 })
      .toMatchObject({ code: "10008", msg: "权限不足" });

    const renewed = await h.scnet("POST", "/ac/openapi/v2/tokens/next", token);
    expect(renewed.body.code).toBe("0");
    const fresh: string = renewed.body.data[1].token;
    expect(fresh).not.toBe(token);
    expect((await h.scnet("PUT", VNC, fresh)).body.code).toBe("0");
    expect((await h.scnet("POST", "/ac/openapi/v2/tokens/next", token)).body.code).toBe("10008");
  });

  it("v3 AK/SK login: HMAC-SHA256(SK, {accessKey,timestamp,user}) gives the same per-cluster list", async () => {
    const h = await start();
    const sign = (timestamp: string, sk = "hpc-sk") =>
      createHmac("sha256", sk)
        .update(JSON.stringify({ accessKey: "hpc-ak", timestamp, user: "hpcuser" }))
        .digest("hex");
    const now = String(Math.floor(Date.now() / 1000));
    const v3 = (timestamp: string, signature: string) =>
      h.call("POST", "/api/user/v3/tokens", undefined, {
        user: "hpcuser",
        accessKey: "hpc-ak",
        timestamp,
        signature,
      });
    const res = await v3(now, sign(now));
    expect(res.body.code).toBe("0");
    expect(res.body.data.map((t: { clusterId: string }) => t.clusterId)).toEqual(["0", "11112", "11113"]);
    expect((await h.scnet("GET", VNC, res.body.data[1].token)).body.code).toBe("0");
    expect((await v3(now, sign(now, "wrong"))).body.code).toBe("10008");
    const stale = String(Math.floor(Date.now() / 1000) - 3600);
    expect((await v3(stale, sign(stale))).body.code).toBe("10008");
    expect((await h.call("POST", "/api/user/v3/tokens", undefined, { user: "hpcuser" })).body.code).toBe(
      "10003",
    );
  });
});

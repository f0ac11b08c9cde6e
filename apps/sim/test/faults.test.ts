import { describe, expect, it } from "vitest";
import { createSim } from "../src/index.ts";
import { createUser, desktopBody, type Harness, start, waitJob } from "./helpers.ts";

async function statuses(h: Harness, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await h.vdi("GET", "/products")).status);
  return out;
}

describe("fault injection", () => {
  it("injects 500s at error_rate, repeatably for a seed", async () => {
    const h = await start();
    await h.call("POST", "/_sim/faults", { error_rate: 0.5, seed: 7 });
    const first = await statuses(h, 20);
    expect(first).toContain(500);
    expect(first).toContain(200);
    await h.call("POST", "/_sim/faults", { error_rate: 0.5, seed: 7 });
    expect(await statuses(h, 20)).toEqual(first);
    await h.call("POST", "/_sim/faults", { error_rate: 0.5, seed: 8 });
    expect(await statuses(h, 20)).not.toEqual(first);

    await h.call("POST", "/_sim/faults", { error_rate: 1 });
    const failed = await h.vdi("GET", "/products");
    expect(failed).toMatchObject({ status: 500, body: { error_code: "WKS.99000500" } });
    expect(failed.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const scnet = await h.call("POST", "/ac/openapi/v2/tokens");
    expect(scnet).toMatchObject({ status: 500, body: { code: "10001" } });
    await h.call("POST", "/_sim/reset");
    await h.call("POST", "/_sim/faults", { error_rate: 1 });
    await statuses(h, 3);
    expect((await h.call("GET", "/_sim/state")).body.stats).toMatchObject({
      requests: 3,
      faults_injected: 3,
    });
  });

  it("adds latency", async () => {
    const h = await start();
    await h.call("POST", "/_sim/faults", { latency_ms: 80 });
    const t0 = performance.now();
    expect((await h.vdi("GET", "/images")).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
  });

  it("hangs requests at timeout_rate until the client gives up, and close() still returns", async () => {
    const sim = createSim({ jobPhaseMs: 10 });
    const server = await sim.listen(0);
    await fetch(`${server.url}/_sim/faults`, { method: "POST", body: JSON.stringify({ timeout_rate: 1 }) });
    const url = `${server.url}/v2/sim-project/products`;
    const headers = { "X-Auth-Token": "sim-token" };
    await expect(fetch(url, { headers, signal: AbortSignal.timeout(100) })).rejects.toThrow();
    const pending = fetch(url, { headers }).catch((error: unknown) => error);
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    await server.close();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
  });

  it("throttles above rate_limit_per_s with APIG.0308 (VDI) and 10011 (SCNet)", async () => {
    const h = await start();
    await h.call("POST", "/_sim/faults", { rate_limit_per_s: 3 });
    const results = await Promise.all(Array.from({ length: 5 }, () => h.vdi("GET", "/products")));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 429, 429]);
    const throttled = results.find((r) => r.status === 429)!;
    expect(throttled.body).toEqual({
      error_code: "APIG.0308",
      error_msg:
        "The throttling threshold has been reached: policy user over ratelimit,limit:3,time:1 second",
    });
    const scnet = await Promise.all(Array.from({ length: 4 }, () => h.call("POST", "/ac/openapi/v2/tokens")));
    expect(scnet.map((r) => r.body.code).filter((c) => c === "10011")).toHaveLength(1);
    expect(scnet.every((r) => r.status === 200)).toBe(true);
    expect((await h.call("GET", "/_sim/state")).body.stats.throttled).toBe(3);
  });

  it("fails create jobs at job_fail_rate, repeatably for a seed", async () => {
    const outcomes = async (h: Harness) => {
      await h.call("POST", "/_sim/faults", { job_fail_rate: 0.5, seed: 42 });
      const jobs = [];
      for (let i = 0; i < 8; i++)
        jobs.push((await h.vdi("POST", "/desktops", desktopBody("jo"))).body.job_id);
      return Promise.all(jobs.map(async (id) => (await waitJob(h, id)).status));
    };
    const h = await start();
    await createUser(h, "jo");
    const first = await outcomes(h);
    expect(first).toContain("FAIL");
    expect(first).toContain("SUCCESS");
    expect(await outcomes(h)).toEqual(first);
  });

  it("fails the next N calls of one route", async () => {
    const h = await start();
    await h.call("POST", "/_sim/faults", { fail_next: { route: "POST /desktops", status: 503, count: 2 } });
    await createUser(h, "kim");
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await h.vdi("POST", "/desktops", desktopBody("kim"))).status);
    expect(codes).toEqual([503, 503, 200]);

    await h.call("POST", "/_sim/faults", {
      fail_next: { route: "GET /desktops/{desktop_id}", status: 429, count: 1 },
    });
    const res = await h.vdi("GET", `/desktops/${crypto.randomUUID()}`);
    expect(res).toMatchObject({ status: 429, body: { error_code: "APIG.0308" } });

    await h.call("POST", "/_sim/faults", {
      fail_next: { route: "PUT /hpc/openapi/v2/desktop/vnc", code: "815201", count: 1 },
    });
    const vnc = await h.scnet("PUT", "/hpc/openapi/v2/desktop/vnc", "any");
    expect(vnc).toMatchObject({ status: 200, body: { code: "815201" } });
  });

  it("validates fault bodies and clears them with {}", async () => {
    const h = await start();
    expect((await h.call("POST", "/_sim/faults", { error_rate: 2 })).status).toBe(400);
    expect((await h.call("POST", "/_sim/faults", { eror_rate: 0.1 })).status).toBe(400);
    expect(
      (await h.call("POST", "/_sim/faults", { fail_next: { route: "desktops", count: 1 } })).status,
    ).toBe(400);
    await h.call("POST", "/_sim/faults", { error_rate: 1, latency_ms: 5 });
    const cleared = await h.call("POST", "/_sim/faults", {});
    expect(cleared.body).toMatchObject({
      error_rate: 0,
      latency_ms: 0,
      rate_limit_per_s: null,
      fail_next: null,
    });
    expect((await h.vdi("GET", "/products")).status).toBe(200);
  });
});

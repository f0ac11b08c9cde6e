import { describe, expect, it } from "vitest";
import { createSim } from "../src/index.ts";
import { createUser, desktopBody, provision, start } from "./helpers.ts";

describe("control surface and conventions", () => {
  it("checks the token and the project, and tags every response", async () => {
    const h = await start();
    const noToken = await h.call("GET", "/v2/sim-project/products");
    expect(noToken).toMatchObject({ status: 401, body: { error_code: "APIGW.0301" } });
    const wrongProject = await h.call("GET", "/v2/other/products", undefined, {
      "X-Auth-Token": "sim-token",
    });
    expect(wrongProject).toMatchObject({ status: 404, body: { error_code: "APIGW.0101" } });
    for (const res of [noToken, wrongProject, await h.vdi("GET", "/products")]) {
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    }
  });

  it("honours projectId and authToken options", async () => {
    const h = await start({ projectId: "p-42", authToken: "secret" });
    expect((await h.vdi("GET", "/products")).status).toBe(200);
    expect(
      (await h.call("GET", "/v2/p-42/products", undefined, { "X-Auth-Token": "sim-token" })).status,
    ).toBe(401);
  });

  it("exposes state and statistics, and resets to the seed", async () => {
    const h = await start();
    const { desktopId } = await provision(h, "sara", { data_volumes: [{ type: "SSD", size: 20 }] });
    const state = (await h.call("GET", "/_sim/state")).body;
    expect(state.users).toMatchObject([{ user_name: "sara", password: "Str0ng!Pass" }]);
    expect(state.desktops).toMatchObject([{ desktop_id: desktopId, status: "ACTIVE" }]);
    expect(state.volumes).toHaveLength(2);
    expect(state.volumes[1]).toMatchObject({ desktop_id: desktopId, size: 20, device: "/dev/vdb" });
    expect(state.jobs).toMatchObject([{ status: "SUCCESS" }]);
    expect(state.policy_groups).toHaveLength(1);
    expect(state.stats.by_route["POST /v2/{p}/users"]).toBe(1);
    expect(state.stats.by_route["POST /v2/{p}/desktops"]).toBe(1);
    expect(state.stats.requests).toBeGreaterThanOrEqual(3);

    expect((await h.call("POST", "/_sim/reset")).status).toBe(200);
    const empty = (await h.call("GET", "/_sim/state")).body;
    expect(empty).toMatchObject({
      users: [],
      desktops: [],
      volumes: [],
      jobs: [],
      vnc_sessions: [],
      tokens_issued: 0,
    });
    expect(empty.policy_groups).toHaveLength(1);
    expect(empty.stats).toEqual({
      requests: 0,
      by_route: {},
      throttled: 0,
      faults_injected: 0,
      auth_rejected: 0,
      iam_tokens_issued: 0,
    });
    expect((await h.vdi("GET", "/products")).body.total_count).toBe(12);
    await createUser(h, "sara");
  });

  it("serves in-process through app.request, and reset() drops users and running jobs", async () => {
    const sim = createSim({ jobPhaseMs: 20 });
    const call = (path: string, body: unknown) =>
      sim.app.request(`/v2/sim-project${path}`, {
        method: "POST",
        headers: { "X-Auth-Token": "sim-token" },
        body: JSON.stringify(body),
      });
    expect(
      (await call("/users", { user_name: "tim", active_type: "ADMIN_ACTIVATE", password: "Str0ng!Pass" }))
        .status,
    ).toBe(201);
    const desktop = await call("/desktops", desktopBody("tim"));
    expect(desktop.status).toBe(200);
    sim.reset();
    await new Promise((r) => setTimeout(r, 60));
    const state = await (await sim.app.request("/_sim/state")).json();
    expect(state).toMatchObject({ users: [], desktops: [], jobs: [] });
  });
});

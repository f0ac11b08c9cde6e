import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.ts";

/**
 * Issue 13.1: a worker authenticating with IAM password tokens keeps working past the token's
 * life. The simulator issues tokens that live 400 ms here (a real one lives 24 h) and refuses
 * expired ones with 401 APIGW.0301; the adapter renews them before they end.
 */
const TTL_MS = 400;
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    sim: { iamTokenTtlMs: TTL_MS },
    vdiAuth: (iamUrl) => ({
      mode: "password",
      iamUrl,
      domain: "sim-domain",
      user: "sim-user",
      password: "sim-password",
    }),
  });
});
afterAll(async () => {
  await h?.stop();
});

describe("Workspace IAM token auth in the worker", () => {
  it("applies keep succeeding across several token lifetimes", async () => {
    const until = Date.now() + 3 * TTL_MS;
    let applies = 0;
    while (Date.now() < until || applies < 3) {
      const desktop = await h.makeDesktop();
      expect(desktop.desktop_uuid).toBeTruthy();
      applies += 1;
    }
    const { stats } = await h.simState();
    expect(stats.iam_tokens_issued).toBeGreaterThanOrEqual(3);
    expect(stats.auth_rejected).toBe(0); // renewed before the end, never sent expired
  });
});

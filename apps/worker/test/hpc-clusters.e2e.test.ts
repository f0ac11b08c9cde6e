import { loadHpcAccount } from "@deskgate/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.ts";

/**
 * Issue 13.2: SCNet answers one token per cluster, the platform-level one ("ac", clusterId 0)
 * first. An account uses its configured cluster's token (default: the first computing cluster),
 * and AK/SK accounts log in at the v3 endpoint.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.addHpcAccount("default");
  await h.addHpcAccount("second", {
    user: "hpcuser",
    password: "hpc-pass",
    orgId: "org-1",
    cluster: "sim-cluster-2",
  });
  await h.addHpcAccount("by-id", { user: "hpcuser", password: "hpc-pass", orgId: "org-1", cluster: "11113" });
  await h.addHpcAccount("aksk", {
    user: "hpcuser",
    orgId: "org-1",
    accessKey: "hpc-ak",
    secretKey: "hpc-sk",
  });
  await h.addHpcAccount("bad-key", {
    user: "hpcuser",
    orgId: "org-1",
    accessKey: "hpc-ak",
    secretKey: "wrong",
  });
  await h.addHpcAccount("nowhere", {
    user: "hpcuser",
    password: "hpc-pass",
    orgId: "org-1",
    cluster: "mars",
  });
});
afterAll(async () => {
  await h?.stop();
});

describe("SCNet tokens per cluster", () => {
  it("the default account takes the first computing cluster, not the platform token", async () => {
    const task = await h.run("hpc.vnc_open", { account: "default" });
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect((await loadHpcAccount(h.database.db, "default"))?.clusterId).toBe("11112");
  });

  it("a configured cluster (by name or id) gets that cluster's token", async () => {
    for (const name of ["second", "by-id"]) {
      const task = await h.run("hpc.vnc_list", { account: name });
      expect(task.state, task.error ?? "").toBe("succeeded");
      expect((await loadHpcAccount(h.database.db, name))?.clusterId).toBe("11113");
    }
  });

  it("an AK/SK account logs in with the v3 signature; a wrong secret fails the task", async () => {
    const ok = await h.run("hpc.vnc_list", { account: "aksk" });
    expect(ok.state, ok.error ?? "").toBe("succeeded");
    expect((await loadHpcAccount(h.database.db, "aksk"))?.clusterId).toBe("11112");
    const bad = await h.run("hpc.vnc_list", { account: "bad-key" });
    expect(bad.state).toBe("failed");
  });

  it("a cluster the account does not have fails clearly, naming the clusters it has", async () => {
    const task = await h.run("hpc.vnc_list", { account: "nowhere" });
    expect(task.state).toBe("failed");
    expect(task.error).toMatch(
      /cluster mars is not among the account's clusters: 0 \(ac\), 11112 \(sim-cluster\), 11113/,
    );
  });
});

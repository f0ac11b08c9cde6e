import { listOpenVncSessions, loadHpcAccount, upsertVncSession } from "@deskgate/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ sim: { tokenTtlMs: 400 } });
  await h.addHpcAccount("lab");
  await h.addHpcAccount("wrong", { user: "hpcuser", password: "nope", orgId: "org-1" });
});
afterAll(async () => {
  await h?.stop();
});

const SEED_FIELDS = [
  "id",
  "createDate",
  "hostname",
  "jobs",
  "length",
  "width",
  "name",
  "sid",
  "user",
  "ip",
  "sessionId",
];

describe("hpc VNC sessions", () => {
  it("open: token fetched and stored sealed, URL discovered and cached, seed fields; the launch URL only sealed for the caller; idempotent", async () => {
    const task = await h.run("hpc.vnc_open", { account: "lab" });
    expect(task.state, task.error ?? "").toBe("succeeded");
    const session = task.result as Record<string, string>;
    for (const f of SEED_FIELDS) expect(session).toHaveProperty(f);
    expect(session).not.toHaveProperty("launchUrl"); // its ticket is never stored in clear
    const sealed = (task.progress as { sealedPassword?: string }).sealedPassword!;
    expect(sealed).toMatch(/^v1\./);
    const urls = JSON.parse(h.box.open(sealed)) as Record<string, string>;
    expect(urls[session.sessionId!]).toMatch(/^https:\/\/.*ticket=/);
    const account = await loadHpcAccount(h.database.db, "lab");
    expect(account?.sealedToken).toBeTruthy();
    expect(account?.sealedToken).toMatch(/^v1\./); // sealed, not the raw JWT
    expect(h.box.open(account!.sealedToken!).split(".")).toHaveLength(3);
    expect(account?.hpcUrl).toBe(h.simUrl);
    const open = await listOpenVncSessions(h.database.db, "lab");
    expect(open.map((s) => s.sessionId)).toEqual([session.sessionId]);
    expect(JSON.stringify(open[0]!.session)).not.toContain("ticket");

    const again = await h.run("hpc.vnc_open", { account: "lab" });
    expect((again.result as Record<string, string>).sessionId).toBe(session.sessionId);
    expect((await h.simState()).vnc_sessions).toHaveLength(1);
  });

  it("an expired token is renewed once and the call retried", async () => {
    await h.run("hpc.vnc_open", { account: "lab" });
    const before = await loadHpcAccount(h.database.db, "lab");
    await new Promise((r) => setTimeout(r, 500)); // the simulator's tokens live 400 ms here
    const task = await h.run("hpc.vnc_list", { account: "lab" });
    expect(task.state, task.error ?? "").toBe("succeeded");
    const after = await loadHpcAccount(h.database.db, "lab");
    expect(h.box.open(after!.sealedToken!)).not.toBe(h.box.open(before!.sealedToken!));
    const renewals = (await h.simState()).stats.by_route;
    expect(Object.entries(renewals).find(([k]) => k.includes("tokens/next"))?.[1]).toBeGreaterThanOrEqual(1);
    expect((task.result as { sessions: unknown[] }).sessions).toHaveLength(1);
  });

  it("list and close keep vnc_sessions in step", async () => {
    const opened = (await h.run("hpc.vnc_open", { account: "lab" })).result as Record<string, string>;
    const closed = await h.run("hpc.vnc_close", { account: "lab", sessionId: opened.sessionId });
    expect(closed.state, closed.error ?? "").toBe("succeeded");
    expect(closed.result).toEqual({ sessionId: opened.sessionId });
    expect(await listOpenVncSessions(h.database.db, "lab")).toEqual([]);
    const list = await h.run("hpc.vnc_list", { account: "lab" });
    expect((list.result as { sessions: unknown[] }).sessions).toEqual([]);
    // closing again: "session does not exist" counts as closed
    const twice = await h.run("hpc.vnc_close", { account: "lab", sessionId: opened.sessionId });
    expect(twice.state).toBe("succeeded");
  });

  it("closing is scoped by account: another account's session of that id stays open (issue 17.10)", async () => {
    await h.database.sql`insert into hpc_accounts (name, platform_user, org_id) values ('other', 'p', 'o')
      on conflict do nothing`;
    await upsertVncSession(h.database.db, { sessionId: "other-1", account: "other", session: {} });
    const closed = await h.run("hpc.vnc_close", { account: "lab", sessionId: "other-1" });
    expect(closed.state, closed.error ?? "").toBe("succeeded"); // gone on lab's platform: closed
    expect((await listOpenVncSessions(h.database.db, "other")).map((s) => s.sessionId)).toEqual(["other-1"]);
  });

  it("815201 (all VNC nodes overloaded) is transient: retried, then succeeds", async () => {
    await h.faults({ fail_next: { route: "PUT /hpc/openapi/v2/desktop/vnc", code: "815201", count: 1 } });
    const task = await h.run("hpc.vnc_open", { account: "lab" });
    expect(task.state, task.error ?? "").toBe("succeeded");
    await h.faults({});
  });

  it("10004 (invalid parameter) is the caller's fault: fails with the platform's text", async () => {
    await h.faults({ fail_next: { route: "PUT /hpc/openapi/v2/desktop/vnc", code: "10004", count: 5 } });
    const task = await h.run("hpc.vnc_open", { account: "lab" });
    await h.faults({});
    expect(task.state).toBe("failed");
    expect(task.error).toMatch(/10004|参数无效/);
  });

  it("an unknown account, and wrong credentials, fail clearly", async () => {
    const unknown = await h.run("hpc.vnc_open", { account: "ghost" });
    expect(unknown.state).toBe("failed");
    expect(unknown.error).toMatch(/not known/);
    const wrong = await h.run("hpc.vnc_open", { account: "wrong" });
    expect(wrong.state).toBe("failed");
  });
});

import { randomBytes } from "node:crypto";
import { getDesktopRow, getTask, schema } from "@deskgate/db";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLeaseSweep } from "../src/jobs/lease.ts";
import { type Harness, startHarness } from "./support/harness.ts";

/**
 * Leases on the test clock (the sweep's injectable clock; webhook signatures keep real time):
 * apply with expires_at → lease.expiring → lease.expire (user locked) → lease.delete, every
 * callback signed and verified; an extension in the grace period unlocks; every step once.
 */
const DAY = 86_400_000;
let h: Harness;
let clock = new Date();
const received: { body: string; headers: Record<string, string> }[] = [];
let receiverUrl = "";
let closeReceiver: () => Promise<void> = async () => {};

beforeAll(async () => {
  const { createServer } = await import("node:http");
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    received.push({
      body: Buffer.concat(chunks).toString("utf8"),
      headers: req.headers as Record<string, string>,
    });
    res.writeHead(200).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  receiverUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/lease-cb`;
  closeReceiver = () => new Promise((r) => server.close(() => r()));
  h = await startHarness({
    overrides: { leaseClock: () => clock },
  });
  h.deps.settings.leaseNoticeMs = 3 * DAY;
  h.deps.settings.leaseGraceMs = 7 * DAY;
});
afterAll(async () => {
  await h?.stop();
  await closeReceiver();
});

/** The verified callbacks of a task (signature checked with the worker's secret). */
async function callbacksOf(taskId: string, count = 1, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mine = received
      .map(
        (r) =>
          new Webhook(h.webhookSecret).verify(r.body, r.headers) as {
            data: Record<string, unknown>;
            status: string;
            message: string;
          },
      )
      .filter((b) => b.data.task_id === taskId);
    if (mine.length >= count) return mine;
    if (Date.now() > deadline) throw new Error(`no callback for task ${taskId}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function leasedDesktop(expiresAt: Date, ticket = `CHG-${randomBytes(2).toString("hex")}`) {
  const group = `l${randomBytes(3).toString("hex")}`;
  const apply = await h.run("desktop.apply", {
    username: group,
    os: "win10",
    expires_at: expiresAt.toISOString(),
    ticket_id: ticket,
    callback_url: receiverUrl,
  });
  expect(apply.state, apply.error ?? "").toBe("succeeded");
  const result = apply.result as { username: string; desktop_uuid: string };
  return { ...result, applyId: apply.id, ticket };
}

/** Run the sweep at `at` and return the lease tasks it made, by kind. */
async function sweepAt(at: Date) {
  clock = at;
  const before = new Date(Date.now() - 1);
  const made = await runLeaseSweep(h.deps);
  const rows = await h.database.db.select().from(schema.tasks);
  return {
    made,
    tasks: rows.filter((t) => t.kind.startsWith("lease.") && t.createdAt >= before),
  };
}

const lockedOnSim = async (name: string) =>
  ((await h.simState()).users.find((u) => u.user_name === name) as unknown as { locked: boolean } | undefined)
    ?.locked;

describe("lease", () => {
  it("goes expiring → locked → deleted on the test clock, each step once, every callback signed", async () => {
    const end = new Date(Date.now() + 30 * DAY);
    const d = await leasedDesktop(end);
    const row = await getDesktopRow(h.database.db, d.desktop_uuid);
    expect(row?.leaseExpiresAt?.toISOString()).toBe(end.toISOString());
    expect(row?.leaseTaskId).toBe(d.applyId);

    // nothing is due 4 days before the end
    const early = await sweepAt(new Date(end.getTime() - 4 * DAY));
    expect(
      early.tasks.filter((t) => (t.request as { desktop_uuid: string }).desktop_uuid === d.desktop_uuid),
    ).toEqual([]);

    // 2 days before: the notice, once however often the sweep runs (two at once, then again)
    const at = new Date(end.getTime() - 2 * DAY);
    const [a, b] = await Promise.all([sweepAt(at), sweepAt(at)]);
    const again = await sweepAt(at);
    const notices = [...a.tasks, ...b.tasks, ...again.tasks].filter(
      (t) =>
        t.kind === "lease.expiring" &&
        (t.request as { desktop_uuid: string }).desktop_uuid === d.desktop_uuid,
    );
    expect(new Set(notices.map((t) => t.id)).size).toBe(1);
    const notice = await h.waitTask(notices[0]!.id);
    expect(notice.state, notice.error ?? "").toBe("succeeded");
    const [noticeCb] = await callbacksOf(notice.id);
    expect(noticeCb).toMatchObject({
      status: "0",
      data: {
        event: "lease.expiring",
        desktop_uuid: d.desktop_uuid,
        username: d.username,
        expires_at: end.toISOString(),
        lock_at: end.toISOString(),
        delete_at: new Date(end.getTime() + 7 * DAY).toISOString(),
        ticket_id: d.ticket,
      },
    });
    expect(await lockedOnSim(d.username)).toBe(false);

    // at the end: the user is locked
    const expiry = await sweepAt(new Date(end.getTime() + 60_000));
    const expire = expiry.tasks.find(
      (t) =>
        t.kind === "lease.expire" && (t.request as { desktop_uuid: string }).desktop_uuid === d.desktop_uuid,
    )!;
    expect((await h.waitTask(expire.id)).state).toBe("succeeded");
    const [expireCb] = await callbacksOf(expire.id);
    expect(expireCb!.data).toMatchObject({ event: "lease.expire", user_locked: true, ticket_id: d.ticket });
    expect(await lockedOnSim(d.username)).toBe(true);
    expect((await getDesktopRow(h.database.db, d.desktop_uuid))?.leaseStage).toBe("expired");

    // in the grace period nothing more happens
    const grace = await sweepAt(new Date(end.getTime() + 6 * DAY));
    expect(
      grace.tasks.filter((t) => (t.request as { desktop_uuid: string }).desktop_uuid === d.desktop_uuid),
    ).toEqual([]);

    // after the grace period: deleted, with its user (their last desktop)
    const late = await sweepAt(new Date(end.getTime() + 7 * DAY + 60_000));
    const del = late.tasks.find(
      (t) =>
        t.kind === "lease.delete" && (t.request as { desktop_uuid: string }).desktop_uuid === d.desktop_uuid,
    )!;
    const deleted = await h.waitTask(del.id);
    expect(deleted.state, deleted.error ?? "").toBe("succeeded");
    const [deleteCb] = await callbacksOf(del.id);
    expect(deleteCb!.data).toMatchObject({
      event: "lease.delete",
      desktop_uuid: d.desktop_uuid,
      already_gone: false,
      user_deleted: true,
      ticket_id: d.ticket,
    });
    const state = await h.simState();
    expect(state.desktops.find((x) => x.desktop_id === d.desktop_uuid)).toBeUndefined();
    expect(state.users.find((u) => u.user_name === d.username)).toBeUndefined();
    expect(await getDesktopRow(h.database.db, d.desktop_uuid)).toBeUndefined();

    // and nothing is left to sweep for it
    const after = await sweepAt(new Date(end.getTime() + 30 * DAY));
    expect(
      after.tasks.filter((t) => (t.request as { desktop_uuid: string }).desktop_uuid === d.desktop_uuid),
    ).toEqual([]);
  });

  it("an extension in the grace period unlocks the user and starts the lease over; a later expiry comes again", async () => {
    const end = new Date(Date.now() + 10 * DAY);
    const d = await leasedDesktop(end);
    const expiry = await sweepAt(new Date(end.getTime() + 60_000));
    const expire = expiry.tasks.find(
      (t) => (t.request as { desktop_uuid: string }).desktop_uuid === d.desktop_uuid,
    )!;
    expect(expire.kind).toBe("lease.expire"); // no notice first: the sweep came after the end
    expect((await h.waitTask(expire.id)).state).toBe("succeeded");
    expect(await lockedOnSim(d.username)).toBe(true);

    const newEnd = new Date(end.getTime() + 60 * DAY);
    const ext = await h.run("desktop.lease", {
      desktop_uuid: d.desktop_uuid,
      expires_at: newEnd.toISOString(),
      callback_url: `${receiverUrl}?ext`,
      ticket_id: "CHG-EXT",
    });
    expect(ext.state, ext.error ?? "").toBe("succeeded");
    expect(ext.result).toEqual({
      desktop_uuid: d.desktop_uuid,
      username: d.username,
      expires_at: newEnd.toISOString(),
      previous_expires_at: end.toISOString(),
      user_unlocked: true,
    });
    const [extCb] = await callbacksOf(ext.id);
    expect(extCb!.data).toMatchObject({ user_unlocked: true, ticket_id: "CHG-EXT" });
    expect(await lockedOnSim(d.username)).toBe(false);
    const row = await getDesktopRow(h.database.db, d.desktop_uuid);
    expect(row).toMatchObject({ leaseStage: null, leaseUserLocked: false, leaseTaskId: ext.id });

    // past the old grace period: nothing (the lease is the new one)
    const old = await sweepAt(new Date(end.getTime() + 8 * DAY));
    expect(
      old.tasks.filter((t) => (t.request as { desktop_uuid: string }).desktop_uuid === d.desktop_uuid),
    ).toEqual([]);

    // the new lease's notice goes to the extension's callback URL with its ticket
    const notice = (await sweepAt(new Date(newEnd.getTime() - DAY))).tasks.find(
      (t) => (t.request as { desktop_uuid: string }).desktop_uuid === d.desktop_uuid,
    )!;
    expect(notice.kind).toBe("lease.expiring");
    expect(notice.callbackUrl).toBe(`${receiverUrl}?ext`);
    const [cb] = await callbacksOf((await h.waitTask(notice.id)).id);
    expect(cb!.data).toMatchObject({
      event: "lease.expiring",
      expires_at: newEnd.toISOString(),
      ticket_id: "CHG-EXT",
    });
  });

  it("the expiry does not lock a user who has another desktop in use", async () => {
    const end = new Date(Date.now() + 5 * DAY);
    const d = await leasedDesktop(end);
    // a second desktop of the same user, without a lease
    const second = await h.run("desktop.apply", { username: d.username, os: "win10" }, { callbackUrl: null });
    expect(second.state, second.error ?? "").toBe("succeeded");
    const expire = (await sweepAt(new Date(end.getTime() + 60_000))).tasks.find(
      (t) => (t.request as { desktop_uuid: string }).desktop_uuid === d.desktop_uuid,
    )!;
    const done = await h.waitTask(expire.id);
    expect(done.result).toMatchObject({ event: "lease.expire", user_locked: false });
    expect(await lockedOnSim(d.username)).toBe(false);
    expect((await h.steps(done.id)).map((s) => s.name)).toEqual(["check_other_desktops"]);
  });

  it("an extension after the delete was claimed fails, and the delete goes on", async () => {
    const end = new Date(Date.now() + 2 * DAY);
    const d = await leasedDesktop(end);
    await h.database.sql`update desktops set lease_stage = 'expired' where desktop_uuid = ${d.desktop_uuid}`;
    const del = (await sweepAt(new Date(end.getTime() + 8 * DAY))).tasks.find(
      (t) => (t.request as { desktop_uuid: string }).desktop_uuid === d.desktop_uuid,
    )!;
    expect(del.kind).toBe("lease.delete");
    const ext = await h.run("desktop.lease", {
      desktop_uuid: d.desktop_uuid,
      expires_at: new Date(Date.now() + 90 * DAY).toISOString(),
      callback_url: receiverUrl,
    });
    // the extension either ran before the delete (refused: its delete had begun) or after it
    // (the desktop is gone): it never brings the lease back
    expect(ext.state).toBe("failed");
    expect(ext.error).toMatch(/delete has begun|is not known/);
    expect((await h.waitTask(del.id)).state).toBe("succeeded");
    expect((await getTask(h.database.db, del.id))?.result).toMatchObject({ event: "lease.delete" });
    expect(await getDesktopRow(h.database.db, d.desktop_uuid)).toBeUndefined();
  });

  it("a step that finds its lease changed since the claim does nothing", async () => {
    const end = new Date(Date.now() + 3 * DAY);
    const d = await leasedDesktop(end);
    // as if the sweep claimed the expiry of the old end and an extension came before it ran
    const newEnd = new Date(end.getTime() + 30 * DAY);
    await h.database.sql`
      update desktops set lease_expires_at = ${newEnd.toISOString()}, lease_stage = null where desktop_uuid = ${d.desktop_uuid}`;
    const stale = await h.run(
      "lease.expire",
      { desktop_uuid: d.desktop_uuid, username: d.username, expires_at: end.toISOString() },
      { callbackUrl: null },
    );
    expect(stale.state).toBe("succeeded");
    expect(stale.result).toMatchObject({ event: "lease.expire", skipped: true });
    expect(await h.steps(stale.id)).toEqual([]);
    expect(await lockedOnSim(d.username)).toBe(false);
    expect(await getDesktopRow(h.database.db, d.desktop_uuid)).toMatchObject({
      leaseExpiresAt: newEnd,
      leaseStage: null,
    });
  });
});

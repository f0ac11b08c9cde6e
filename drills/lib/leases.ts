import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createBoss } from "@deskgate/db";
import { log, sleep } from "../../tools/harness/time.ts";
import { callbackFigures, countLost, type TaskState, TERMINAL } from "./checks.ts";
import type { DrillCtx, Sql } from "./context.ts";
import { call, lanes, type Tally } from "./http.ts";
import type { Made } from "./lifecycle.ts";
import type { Stack } from "./stack.ts";

const DAY_MS = 86_400_000;
/** The lease windows every drill process gets (`startStack`): the notice 6 s before the end, the delete 8 s after it. */
export const LEASE_NOTICE_MS = 6_000;
export const LEASE_GRACE_MS = 8_000;
export const LEASE_ENV = {
  DESKGATE_LEASE_NOTICE_DAYS: String(LEASE_NOTICE_MS / DAY_MS),
  DESKGATE_LEASE_GRACE_DAYS: String(LEASE_GRACE_MS / DAY_MS),
};
/** The first lease ends this long after it is requested (so its notice is due 2 s in), one desktop every `spreadMs` after the other. */
const FIRST_END_MS = 8_000;
/** An extension (sent on the lease.expire callback) ends this long after it is sent: inside the notice window at once. */
const EXTENSION_END_MS = 5_000;
/** The drill's own lease sweeps (the cron's minute is too coarse): one `lease.sweep` job this often. */
const SWEEP_EVERY_MS = 500;

/** A lease run's figures for a drill's line, `lease_`-prefixed (`sweeps` and the loss counts aside). */
export function leaseFigures(
  figures: Record<string, number>,
  keys: readonly string[],
): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [`lease_${k}`, figures[k] ?? 0]));
}

/** The lease figures both drills print. */
export const LEASE_FIGURES = [
  "desktops",
  "tasks",
  "steps",
  "extended",
  "refused",
  "skipped",
  "notices_late",
] as const;

export const LEASE_STEPS = ["lease.expiring", "lease.expire", "lease.delete"] as const;
export type LeaseStepKind = (typeof LEASE_STEPS)[number];
export const LEASE_KINDS = ["desktop.lease", ...LEASE_STEPS] as const;

/** A desktop the lease phase drives; `lease` is the end its apply set (`expires_at`), if any. */
export interface LeaseDesktop extends Made {
  lease?: string | null;
}

export interface LeaseRow extends TaskState {
  // biome-ignore lint/suspicious/noExplicitAny: jsonb read loosely
  request: any;
  created_at: Date;
  finished_at: Date | null;
}

const iso = (t: string | Date) => new Date(t).toISOString();

/**
 * `lease.sweep` jobs into the stack's pg-boss every `everyMs`, as the cron would send them
 * every minute: a pg-boss of the drill's own (no supervision, no cron, no migration).
 */
export async function startSweeper(databaseUrl: string, everyMs = SWEEP_EVERY_MS) {
  const boss = createBoss(databaseUrl, { supervise: false, schedule: false, migrate: false, max: 1 });
  boss.on("error", (error) => log(`lease sweeper: ${error instanceof Error ? error.message : error}`));
  await boss.start();
  let stopped = false;
  let sent = 0;
  const loop = (async () => {
    while (!stopped) {
      try {
        await boss.send("lease.sweep", {});
        sent++;
      } catch (error) {
        log(`lease sweeper: send failed: ${error instanceof Error ? error.message : error}`);
      }
      await sleep(everyMs);
    }
  })();
  return {
    sent: () => sent,
    async stop() {
      stopped = true;
      await loop;
      await boss.stop({ graceful: false, timeout: 2_000 });
    },
  };
}

/** The lease tasks (requests and steps) of some desktops, as they are now. */
export async function leaseRows(sql: Sql, desktops: string[]): Promise<LeaseRow[]> {
  if (desktops.length === 0) return [];
  return (await sql`select id, kind, state, error, attempts, result, request, created_at, finished_at
    from tasks where kind = any(${[...LEASE_KINDS]}) and request->>'desktop_uuid' = any(${desktops})
    order by created_at`) as unknown as LeaseRow[];
}

/** Lease jobs a worker holds right now (pg-boss `active`): a kill now lands on lease work. */
export async function activeLeaseJobs(sql: Sql): Promise<number> {
  const [row] = await sql`select count(*)::int as n from pgboss.job
    where name = any(${[...LEASE_KINDS]}) and state = 'active'`;
  return (row?.n as number | undefined) ?? 0;
}

/** Lease tasks in this database (a drill's fresh one: all of them its lease phase's), and how many ended. */
export async function leaseCounts(sql: Sql): Promise<{ total: number; terminal: number }> {
  const [row] = await sql`select count(*)::int as total,
      count(*) filter (where state = any(${[...TERMINAL]}))::int as terminal
    from tasks where kind = any(${[...LEASE_KINDS]})`;
  return { total: (row?.total as number) ?? 0, terminal: (row?.terminal as number) ?? 0 };
}

interface Setter {
  id: string;
  extension: boolean;
}

/**
 * The lease phase: every desktop gets a lease (POST /api/desktop/lease) ending a few seconds
 * ahead, their ends spread `spreadMs` apart; the drill sweeps every 500 ms, so each goes
 * lease.expiring → lease.expire (user locked) → lease.delete (desktop and user deleted) in
 * ~15 s. Every `extendEvery`-th desktop is extended when its lease.expire callback arrives
 * (the user is unlocked, the lease starts over: a second notice and expiry, then the delete).
 * `settle` waits until every desktop's lease ran to its end, then checks it.
 */
export async function startLeases(
  ctx: DrillCtx,
  stack: Stack,
  tally: Tally,
  desktops: LeaseDesktop[],
  opts: { name: string; extendEvery: number; spreadMs: number; concurrency?: number },
) {
  const callbackUrl = `${ctx.receiver.url}/callbacks`;
  const api = () => stack.apis[0]!.url;
  const sweeper = await startSweeper(stack.databaseUrl);
  const setters: Setter[] = [];
  const refusedAtApi: { desktop: string; answer: string }[] = [];
  const unexpected: string[] = [];
  const extendable = new Set(
    desktops.filter((_, i) => (i + 1) % opts.extendEvery === 0).map((d) => d.desktop_uuid),
  );
  const extended = new Set<string>();
  let pending = 0;

  const setLease = async (desktop: string, expiresAt: string, extension: boolean) => {
    pending++;
    try {
      const answer = await call(tally, api(), "POST", "/api/desktop/lease", {
        body: { desktop_uuid: desktop, expires_at: expiresAt, callback_url: callbackUrl },
      });
      if (answer.status === 200) setters.push({ id: answer.json.data.task_id, extension });
      // too late: the old lease's delete began (409) or ended (404, the desktop is gone)
      else if (extension && (answer.status === 409 || answer.status === 404))
        refusedAtApi.push({ desktop, answer: answer.text });
      else
        unexpected.push(
          `POST /api/desktop/lease (${desktop}) → ${answer.status} ${answer.text.slice(0, 200)}`,
        );
    } finally {
      pending--;
    }
  };

  const t0 = Date.now();
  await lanes(desktops.length, opts.concurrency ?? 10, async (i) => {
    const end = iso(new Date(t0 + FIRST_END_MS + i * opts.spreadMs));
    await setLease(desktops[i]!.desktop_uuid, end, false);
  });

  // the "approver": extends a lease when its lease.expire callback (the user was locked) arrives
  let cursor = 0;
  let stopped = false;
  const extender = (async () => {
    while (!stopped) {
      const deliveries = ctx.receiver.deliveries;
      for (; cursor < deliveries.length; cursor++) {
        const d = deliveries[cursor]!;
        if (d.answered !== 200) continue;
        let data: { event?: string; desktop_uuid?: string; skipped?: boolean } | undefined;
        try {
          data = (JSON.parse(d.body) as { data?: typeof data }).data;
        } catch {
          continue;
        }
        const desktop = data?.desktop_uuid;
        if (data?.event !== "lease.expire" || data.skipped || !desktop) continue;
        if (!extendable.has(desktop) || extended.has(desktop)) continue;
        extended.add(desktop);
        void setLease(desktop, iso(new Date(Date.now() + EXTENSION_END_MS)), true);
      }
      await sleep(100);
    }
  })();

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopped = true;
    stopping ??= extender.then(() => sweeper.stop());
    return stopping;
  };

  const uuids = desktops.map((d) => d.desktop_uuid);
  const ids = () => setters.map((s) => s.id);
  return {
    setters: ids,
    /** Stop the sweeps and the extensions (settle does it too). */
    stop,
    /** Wait (bounded) until every desktop's lease ran to its end; then stop sweeping and check. */
    async settle(settleMs: number) {
      const deadline = performance.now() + settleMs;
      let rows: LeaseRow[] = [];
      try {
        for (;;) {
          const crashed = stack.crashed();
          if (crashed.length > 0) throw new Error(`crashed: ${crashed.join("; ")}`);
          rows = await leaseRows(stack.sql, uuids);
          if ((pending === 0 && leasesDone(desktops, rows, ctx)) || performance.now() > deadline) break;
          await sleep(500);
        }
      } finally {
        await stop();
      }
      const sweeps = (await stack.sql`select started_on, completed_on from pgboss.job
        where name = 'lease.sweep' and state = 'completed'`) as unknown as {
        started_on: Date;
        completed_on: Date;
      }[];
      const result = checkLeases(ctx, desktops, rows, setters, sweeps);
      const state = await ctx.sim.state();
      const desktopsUp = new Set(state.desktops.map((d) => d.desktop_id));
      const usersUp = new Set(state.users.map((u) => u.user_name));
      const mirrorDesktops = new Set(
        (
          (await stack.sql`select desktop_uuid from desktops where desktop_uuid = any(${uuids})`) as unknown as {
            desktop_uuid: string;
          }[]
        ).map((r) => r.desktop_uuid),
      );
      const names = desktops.map((d) => d.username);
      const mirrorUsers = new Set(
        (
          (await stack.sql`select username from vdi_users where username = any(${names})`) as unknown as {
            username: string;
          }[]
        ).map((r) => r.username),
      );
      // what a succeeded lease.delete removed must be gone upstream and from deskgate's tables
      const orphans: string[] = [];
      for (const d of desktops) {
        if (!result.deletedBy.has(d.desktop_uuid)) continue;
        if (desktopsUp.has(d.desktop_uuid)) orphans.push(`desktop ${d.desktop_uuid} (lease.delete)`);
        if (mirrorDesktops.has(d.desktop_uuid))
          orphans.push(`mirror desktop ${d.desktop_uuid} (lease.delete)`);
        if (usersUp.has(d.username)) orphans.push(`user ${d.username} (lease.delete)`);
        if (mirrorUsers.has(d.username)) orphans.push(`mirror user ${d.username} (lease.delete)`);
      }
      const problems = [...unexpected, ...result.problems];
      for (const r of rows.filter((r) => !TERMINAL.has(r.state)).slice(0, 5)) {
        problems.push(`${r.kind} ${r.id} (desktop ${r.request.desktop_uuid}) still ${r.state} at the end`);
      }
      // an extension refused at the door: only once the old lease's delete had begun
      for (const r of refusedAtApi) {
        if (!result.deleteFor(r.desktop))
          problems.push(`extension of ${r.desktop} refused before any delete: ${r.answer}`);
      }
      if (problems.length > 0 || result.lost + result.duplicated + orphans.length > 0) {
        // what the database says about the lease desktops, for the post-mortem (kept with the logs)
        const file = join(ctx.logDir, `${opts.name}-leases.json`);
        const rowIds = rows.map((r) => r.id);
        const dump = {
          problems,
          orphans,
          desktops: await stack.sql`select desktop_uuid, username, lease_expires_at, lease_stage,
            lease_user_locked, lease_task_id from desktops where desktop_uuid = any(${uuids})`,
          tasks: await stack.sql`select id, kind, state, error, attempts, request, result, progress,
            created_at, started_at, finished_at from tasks where id = any(${rowIds}::uuid[]) order by created_at`,
          steps: await stack.sql`select task_id, name, outcome, detail, started_at, ended_at
            from task_steps where task_id = any(${rowIds}::uuid[]) order by id`,
          locks: await stack.sql`select * from resource_locks`,
          waits: await stack.sql`select * from task_waits where task_id = any(${rowIds}::uuid[])`,
          jobs: await stack.sql`select id, name, state, retry_count, data, created_on, started_on, completed_on
            from pgboss.job where name = any(${[...LEASE_KINDS]}) order by created_on`,
        };
        writeFileSync(file, JSON.stringify(dump, null, 1));
        problems.unshift(`lease tasks, steps, locks and jobs written to ${file}`);
      }
      return {
        rows,
        problems,
        orphans,
        missing: result.missing,
        unverified: result.unverified,
        redelivered: result.redelivered,
        /** Lease tasks that failed for another reason than an extension coming after the delete began. */
        failed: result.failed,
        figures: {
          lost: result.lost,
          duplicated: result.duplicated,
          orphaned: orphans.length,
          desktops: desktops.length,
          tasks: rows.length,
          steps: rows.filter((r) => r.kind !== "desktop.lease").length,
          extended: result.extended,
          refused: result.refused + refusedAtApi.length,
          skipped: result.skipped,
          notices_late: result.noticesLate,
          resumed: rows.filter((r) => r.attempts > 1).length,
          deleted: result.deletedBy.size,
          failed: result.failed.length,
          sweeps: sweeper.sent(),
        },
      };
    },
  };
}

/** Every desktop's lease ran to its end: requests ended, the last lease's delete ended, every callback in. */
function leasesDone(desktops: LeaseDesktop[], rows: LeaseRow[], ctx: DrillCtx): boolean {
  if (!rows.every((r) => TERMINAL.has(r.state) && ctx.receiver.arrivals.has(r.id))) return false;
  return desktops.every((d) => {
    const mine = rows.filter((r) => r.request.desktop_uuid === d.desktop_uuid);
    if (!mine.some((r) => r.kind === "desktop.lease" && r.state === "succeeded")) return true;
    return mine.some((r) => r.kind === "lease.delete");
  });
}

/**
 * The lease checks, desktop by desktop, lease end by lease end (the apply's, then each
 * request's that succeeded):
 * - every task (requests and steps) terminal with its callback (else lost), one callback event
 *   each (else duplicated), signatures valid, the callback's `event` the step's kind;
 * - per lease end, each step at most once (else duplicated); lease.expire exactly once, and
 *   lease.delete exactly once for the last end and never for an extended one;
 * - lease.expiring at most once, and missing only when no sweep ran between the lease being set
 *   and its end minus nothing (a notice is not sent late: `notices_late`), else lost;
 * - `skipped: true` only when the step really came too late (the next step was claimed, or the
 *   lease changed, before it ended);
 * - an expiry that was not skipped locked the user (it is their only desktop); the extension
 *   after it unlocked them; a refused extension only once that lease's delete had begun.
 */
function checkLeases(
  ctx: DrillCtx,
  desktops: LeaseDesktop[],
  rows: LeaseRow[],
  setters: Setter[],
  sweeps: { started_on: Date; completed_on: Date }[],
) {
  const problems: string[] = [];
  const ids = rows.map((r) => r.id);
  for (const s of setters) if (!ids.includes(s.id)) ids.push(s.id);
  const callbacks = callbackFigures(ctx.receiver, new Set(ids));
  let lost = countLost(ids, rows, ctx.receiver);
  let duplicated = callbacks.duplicated;
  let extended = 0;
  let refused = 0;
  let skipped = 0;
  let noticesLate = 0;
  const failed: LeaseRow[] = [];
  const deletedBy = new Map<string, LeaseRow>();
  const deletes = new Map<string, LeaseRow[]>();

  // the callback a task sent says which step it is
  const events = new Map<string, string | undefined>();
  for (const d of ctx.receiver.deliveries) {
    if (!d.taskId || events.has(d.taskId)) continue;
    try {
      events.set(d.taskId, (JSON.parse(d.body) as { data?: { event?: string } }).data?.event);
    } catch {
      // not JSON: the receiver ignores it too
    }
  }

  for (const d of desktops) {
    const mine = rows.filter((r) => r.request.desktop_uuid === d.desktop_uuid);
    const requests = mine.filter((r) => r.kind === "desktop.lease");
    const steps = mine.filter((r) => r.kind !== "desktop.lease");
    deletes.set(
      d.desktop_uuid,
      steps.filter((r) => r.kind === "lease.delete"),
    );
    for (const r of steps) {
      if (TERMINAL.has(r.state) && r.state === "succeeded" && events.get(r.id) !== r.kind) {
        problems.push(`${r.kind} ${r.id} sent a callback with event ${events.get(r.id)}`);
      }
    }
    // the lease ends this desktop had, in order, each with the task that set it
    const ends: { end: string; by: LeaseRow | null }[] = d.lease ? [{ end: iso(d.lease), by: null }] : [];
    for (const r of requests) {
      const previous = ends.at(-1);
      const own = iso(r.request.expires_at);
      const ranFor = steps.filter((s) => iso(s.request.expires_at) === own).map((s) => s.kind);
      if (r.state === "succeeded") {
        const want = previous ? previous.end : null;
        if ((r.result.previous_expires_at ? iso(r.result.previous_expires_at) : null) !== want) {
          problems.push(
            `desktop.lease ${r.id}: previous_expires_at ${r.result.previous_expires_at}, want ${want}`,
          );
        }
        if (setters.find((s) => s.id === r.id)?.extension) extended++;
        ends.push({ end: own, by: r });
      } else if (TERMINAL.has(r.state) && ranFor.length > 0) {
        // the request's lease was set (the sweep ran steps for it), yet the request says it failed
        problems.push(
          `desktop.lease ${r.id} (${r.attempts} runs) ${r.state} ("${r.error}") although its lease ${own} took effect: the sweep ran ${ranFor.join(", ")} for it`,
        );
        failed.push(r);
        ends.push({ end: own, by: r });
      } else if (r.state === "failed" && previous && /delete has begun/.test(r.error ?? "")) {
        // the old lease's delete was claimed before the extension ran: allowed, if so
        const del = steps.find(
          (s) => s.kind === "lease.delete" && iso(s.request.expires_at) === previous.end,
        );
        if (del && del.created_at <= (r.finished_at ?? new Date())) refused++;
        else {
          problems.push(`desktop.lease ${r.id} failed "${r.error}" but no delete of its lease had begun`);
          failed.push(r);
        }
      } else if (TERMINAL.has(r.state)) failed.push(r);
    }
    const stepOf = new Set<string>();
    ends.forEach(({ end, by }, i) => {
      const last = i === ends.length - 1;
      const next = ends[i + 1]?.by ?? null;
      const of = (kind: LeaseStepKind) =>
        steps.filter((s) => s.kind === kind && iso(s.request.expires_at) === end);
      const [expiring, expire, del] = [of("lease.expiring"), of("lease.expire"), of("lease.delete")];
      for (const s of [...expiring, ...expire, ...del]) stepOf.add(s.id);
      for (const [kind, list] of [
        ["lease.expiring", expiring],
        ["lease.expire", expire],
        ["lease.delete", del],
      ] as const) {
        if (list.length > 1) {
          duplicated += list.length - 1;
          problems.push(`${kind} made ${list.length} times for desktop ${d.desktop_uuid}, lease ${end}`);
        }
      }
      if (by === null && !last) {
        // the apply's lease (far ahead), replaced by the drill's before any step was due
        if (expiring.length + expire.length + del.length > 0)
          problems.push(`desktop ${d.desktop_uuid}: steps for the replaced lease ${end}`);
        return;
      }
      if (by === null) return; // an apply's lease the drill never shortened: nothing due
      if (expire.length === 0) {
        lost++;
        problems.push(`desktop ${d.desktop_uuid}: no lease.expire for lease ${end}`);
      }
      if (last && del.length === 0) {
        lost++;
        problems.push(`desktop ${d.desktop_uuid}: no lease.delete for lease ${end}`);
      }
      if (!last && del.length > 0)
        problems.push(`desktop ${d.desktop_uuid}: lease.delete for lease ${end}, which was extended`);
      if (expiring.length === 0) {
        // due from max(set, end − notice) to the end: a sweep that ran wholly inside that window must have made it
        const from =
          Math.max((by.finished_at ?? new Date()).getTime(), Date.parse(end) - LEASE_NOTICE_MS) + 300;
        const until = Date.parse(end) - 300;
        const swept = sweeps.some((s) => s.started_on.getTime() >= from && s.completed_on.getTime() <= until);
        if (swept) {
          lost++;
          problems.push(
            `desktop ${d.desktop_uuid}: no lease.expiring for lease ${end} though a sweep ran in time`,
          );
        } else noticesLate++;
      }
      // a skipped step must really have come too late: the next step (or a new lease) began before it ended
      const tooLate = (s: LeaseRow, after: LeaseRow[]) =>
        after.some((n) => n.created_at.getTime() <= (s.finished_at ?? new Date()).getTime());
      for (const s of expiring)
        if (s.result?.skipped && !tooLate(s, [...expire, ...(next ? [next] : [])])) {
          problems.push(`lease.expiring ${s.id} skipped though its lease was current`);
        }
      for (const s of expire) {
        if (s.state !== "succeeded") continue;
        if (s.result.skipped) {
          if (!tooLate(s, [...del, ...(next ? [next] : [])]))
            problems.push(`lease.expire ${s.id} skipped though its lease was current`);
        } else if (s.result.user_locked !== true) {
          problems.push(`lease.expire ${s.id}: user ${d.username} not locked (their only desktop)`);
        } else if (next?.state === "succeeded" && next.result.user_unlocked !== true) {
          problems.push(`desktop.lease ${next.id}: the user the expiry locked was not unlocked`);
        }
      }
      for (const s of del) if (s.state === "succeeded") deletedBy.set(d.desktop_uuid, s);
    });
    for (const s of steps) {
      if (s.state === "succeeded" && s.result?.skipped) skipped++;
      if (TERMINAL.has(s.state) && s.state !== "succeeded") failed.push(s);
      if (!stepOf.has(s.id))
        problems.push(`${s.kind} ${s.id} for a lease desktop ${d.desktop_uuid} never had`);
    }
  }
  const missing = ids.filter((id) => !ctx.receiver.arrivals.has(id)).length;
  if (missing > 0) problems.push(`${missing} lease callbacks missing`);
  if (callbacks.unverified > 0) problems.push(`${callbacks.unverified} lease callbacks failed verification`);
  return {
    problems,
    lost,
    duplicated,
    extended,
    refused,
    skipped,
    noticesLate,
    failed,
    deletedBy,
    missing,
    unverified: callbacks.unverified,
    redelivered: callbacks.redelivered,
    deleteFor: (desktop: string) => (deletes.get(desktop) ?? []).length > 0,
  };
}

import { and, asc, eq, isNotNull, isNull, ne, or, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { desktops } from "../schema/platform.ts";

/** The three steps of a lease, in order; each is a task of its own kind. */
export type LeaseStep = "lease.expiring" | "lease.expire" | "lease.delete";
export type LeaseStage = "notified" | "expired" | "deleting";

/** The stage a step moves the desktop to, and the stages it may start from. */
export const LEASE_STEPS: Record<LeaseStep, { to: LeaseStage; from: (LeaseStage | null)[] }> = {
  "lease.expiring": { to: "notified", from: [null] },
  "lease.expire": { to: "expired", from: [null, "notified"] },
  "lease.delete": { to: "deleting", from: ["expired"] },
};

export interface DueLease {
  desktopUuid: string;
  username: string;
  leaseExpiresAt: Date;
  leaseStage: string | null;
  leaseTaskId: string | null;
}

const stageIn = (stages: (LeaseStage | null)[]) =>
  or(...stages.map((s) => (s === null ? isNull(desktops.leaseStage) : eq(desktops.leaseStage, s))));

/**
 * Desktops whose lease is due for `step` at `now`, soonest lease first: the notice `noticeMs`
 * before the end (and not after it), the expiry at the end, the delete `graceMs` after it.
 */
export async function dueLeases(
  db: Executor,
  step: LeaseStep,
  now: Date,
  windows: { noticeMs: number; graceMs: number },
  limit = 500,
): Promise<DueLease[]> {
  const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
  const nowIso = now.toISOString();
  const when =
    step === "lease.expiring"
      ? and(
          sql`${desktops.leaseExpiresAt} > ${nowIso}`,
          sql`${desktops.leaseExpiresAt} <= ${at(windows.noticeMs)}`,
        )
      : step === "lease.expire"
        ? sql`${desktops.leaseExpiresAt} <= ${nowIso}`
        : sql`${desktops.leaseExpiresAt} <= ${at(-windows.graceMs)}`;
  const rows = await db
    .select({
      desktopUuid: desktops.desktopUuid,
      username: desktops.username,
      leaseExpiresAt: desktops.leaseExpiresAt,
      leaseStage: desktops.leaseStage,
      leaseTaskId: desktops.leaseTaskId,
    })
    .from(desktops)
    .where(and(isNotNull(desktops.leaseExpiresAt), when, stageIn(LEASE_STEPS[step].from)))
    .orderBy(asc(desktops.leaseExpiresAt))
    .limit(limit);
  return rows as DueLease[];
}

/**
 * Claim a lease step: move the desktop to the step's stage if it is still where the sweep saw
 * it (same lease end, a stage the step starts from). Run in the transaction that inserts the
 * step's task and job, so across any number of sweeping workers a step happens once.
 */
export async function claimLeaseStep(db: Executor, step: LeaseStep, seen: DueLease): Promise<boolean> {
  const rows = await db
    .update(desktops)
    .set({ leaseStage: LEASE_STEPS[step].to, updatedAt: sql`now()` })
    .where(
      and(
        eq(desktops.desktopUuid, seen.desktopUuid),
        eq(desktops.leaseExpiresAt, seen.leaseExpiresAt),
        stageIn(LEASE_STEPS[step].from),
      ),
    )
    .returning({ id: desktops.desktopUuid });
  return rows.length === 1;
}

/**
 * Set a new lease end (an extension): back to no stage, as set by `taskId`. Refused (false)
 * once the delete was claimed — a desktop being deleted has no lease left to extend.
 */
export async function extendLease(
  db: Executor,
  desktopUuid: string,
  expiresAt: Date,
  taskId: string,
): Promise<{ extended: boolean; userLocked: boolean }> {
  const [row] = await db
    .update(desktops)
    .set({ leaseExpiresAt: expiresAt, leaseStage: null, leaseTaskId: taskId, updatedAt: sql`now()` })
    .where(
      and(
        eq(desktops.desktopUuid, desktopUuid),
        or(isNull(desktops.leaseStage), ne(desktops.leaseStage, "deleting")),
      ),
    )
    .returning({ userLocked: desktops.leaseUserLocked });
  return row ? { extended: true, userLocked: row.userLocked } : { extended: false, userLocked: false };
}

/** Record whether the lease's expiry has the user locked (set by lease.expire, cleared by an extension). */
export async function setLeaseUserLocked(db: Executor, desktopUuid: string, locked: boolean): Promise<void> {
  await db
    .update(desktops)
    .set({ leaseUserLocked: locked, updatedAt: sql`now()` })
    .where(eq(desktops.desktopUuid, desktopUuid));
}

/**
 * Whether `username` has a desktop other than `exceptUuid` still in use at `now`: no lease, or
 * a lease not ended. The lease's expiry locks the user only when there is none.
 */
export async function hasOtherLiveDesktop(
  db: Executor,
  username: string,
  exceptUuid: string,
  now: Date,
): Promise<boolean> {
  const [row] = await db
    .select({ id: desktops.desktopUuid })
    .from(desktops)
    .where(
      and(
        eq(desktops.username, username),
        ne(desktops.desktopUuid, exceptUuid),
        or(isNull(desktops.leaseExpiresAt), sql`${desktops.leaseExpiresAt} > ${now.toISOString()}`),
      ),
    )
    .limit(1);
  return row !== undefined;
}

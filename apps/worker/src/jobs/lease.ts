import { randomUUID } from "node:crypto";
import type { DesktopLeaseRequest, DesktopLeaseResult } from "@deskgate/contracts";
import {
  claimLeaseStep,
  type DueLease,
  dueLeases,
  enqueue,
  extendLease,
  getDesktopRow,
  getTask,
  hasOtherLiveDesktop,
  insertTask,
  type LeaseStep,
  saveProgress,
  setLeaseUserLocked,
  type TaskRow,
} from "@deskgate/db";
import type { WorkerDeps } from "../deps.ts";
import { notFound, TaskFailure } from "../failure.ts";
import { taskContext } from "../progress.ts";
import { runDesktopDelete } from "./desktop-delete.ts";
import type { TaskOutcome } from "./run-task.ts";

const DAY_MS = 86_400_000;
/** Default cron of the lease sweep: every minute (pg-boss's finest). */
export const LEASE_CRON = "* * * * *";

/** What a lease step's task is asked (its `request`): the lease as the sweep claimed it. */
export interface LeaseStepRequest {
  desktop_uuid: string;
  username: string;
  expires_at: string;
  /** lease.delete: the desktop delete's own flag (the user goes with their last desktop). */
  delete_user_if_last?: boolean;
  ticket_id?: string;
  requester?: string;
}

export function leaseWindows(deps: WorkerDeps) {
  return {
    noticeMs: deps.settings.leaseNoticeMs ?? 3 * DAY_MS,
    graceMs: deps.settings.leaseGraceMs ?? 7 * DAY_MS,
  };
}

const clock = (deps: WorkerDeps) => deps.leaseClock?.() ?? new Date();

/**
 * The lease sweep (queue `lease.sweep`, on a cron): for each step — delete first, then expiry,
 * then notice, so a desktop moves at most one step per sweep — every desktop due for it at the
 * worker's clock gets the step's task. Each step is claimed by a conditional UPDATE of the
 * desktop in the transaction that inserts the task and its job: two sweeps (two workers, a
 * re-run) make it once. The task takes the callback URL, API key and ticket of the request that
 * set the lease. Returns how many tasks it made per step.
 */
export async function runLeaseSweep(deps: WorkerDeps): Promise<Record<LeaseStep, number>> {
  const now = clock(deps);
  const windows = leaseWindows(deps);
  const made: Record<LeaseStep, number> = { "lease.delete": 0, "lease.expire": 0, "lease.expiring": 0 };
  for (const step of ["lease.delete", "lease.expire", "lease.expiring"] as const) {
    for (const due of await dueLeases(deps.database.db, step, now, windows)) {
      if (await startLeaseStep(deps, step, due)) made[step] += 1;
    }
  }
  return made;
}

async function startLeaseStep(deps: WorkerDeps, step: LeaseStep, due: DueLease): Promise<boolean> {
  return deps.database.db.transaction(async (tx) => {
    if (!(await claimLeaseStep(tx, step, due))) return false;
    const source = due.leaseTaskId ? await getTask(tx, due.leaseTaskId) : undefined;
    const request: LeaseStepRequest = {
      desktop_uuid: due.desktopUuid,
      username: due.username,
      expires_at: due.leaseExpiresAt.toISOString(),
      ...(step === "lease.delete" ? { delete_user_if_last: true } : {}),
      ...(source?.ticketId ? { ticket_id: source.ticketId } : {}),
      ...(source?.requester ? { requester: source.requester } : {}),
    };
    const id = randomUUID();
    await insertTask(tx, {
      id,
      kind: step,
      request,
      callbackUrl: source?.callbackUrl ?? null,
      apiKeyId: source?.apiKeyId ?? null,
      tenant: source?.tenant ?? null,
    });
    await enqueue(deps.boss, tx, step, { task_id: id });
    return true;
  });
}

/**
 * Why the step should do nothing, or null when the lease it was made for is still the desktop's
 * at this step: the desktop is gone, an extension came first, or a later step of the lease was
 * claimed first (deskgate ran behind the lease: the later step covers this one).
 */
async function whySkip(deps: WorkerDeps, request: LeaseStepRequest, stage: string): Promise<string | null> {
  const row = await deps.writes!.now((db) => getDesktopRow(db, request.desktop_uuid));
  if (!row) return "the desktop was deleted before this step ran: nothing was done";
  if (row.leaseExpiresAt?.toISOString() !== request.expires_at)
    return "the lease was extended before this step ran: nothing was done";
  if (row.leaseStage !== stage)
    return "a later step of this lease was claimed before this one ran (deskgate was behind the lease): nothing was done";
  return null;
}

function skipped(event: LeaseStep, request: LeaseStepRequest, note: string): TaskOutcome {
  return {
    data: {
      event,
      desktop_uuid: request.desktop_uuid,
      username: request.username,
      expires_at: request.expires_at,
      skipped: true,
      note,
    },
  };
}

const at = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/** lease.expiring: the notice itself is the callback; nothing changes upstream. */
export async function runLeaseExpiring(deps: WorkerDeps, task: TaskRow): Promise<TaskOutcome> {
  const request = task.request as LeaseStepRequest;
  const skip = await whySkip(deps, request, "notified");
  if (skip) return skipped("lease.expiring", request, skip);
  return {
    data: {
      event: "lease.expiring",
      desktop_uuid: request.desktop_uuid,
      username: request.username,
      expires_at: request.expires_at,
      lock_at: request.expires_at,
      delete_at: at(request.expires_at, leaseWindows(deps).graceMs),
      note: "extend the lease with POST /api/desktop/lease to keep the desktop",
    },
  };
}

interface LeaseExpireProgress {
  /** Decided once: lock the user (no other desktop of theirs is still in use). */
  lock?: boolean;
  locked?: boolean;
}

/**
 * lease.expire: lock the desktop's user, unless they still have another desktop in use (no
 * lease, or a lease not ended) — a lock is per user, so it would cut them off from that one
 * too. Locking a locked user is fine on the platform, so a re-run repeats the call.
 */
export async function runLeaseExpire(deps: WorkerDeps, task: TaskRow): Promise<TaskOutcome> {
  const request = task.request as LeaseStepRequest;
  const { progress, save, step, writes } = taskContext<LeaseExpireProgress>(deps, task);
  // checked before the step starts only: a retry of a run that began goes on (the user it
  // locked stays described), even if the delete was claimed meanwhile
  if (progress.lock === undefined) {
    const skip = await whySkip(deps, request, "expired");
    if (skip) return skipped("lease.expire", request, skip);
  }
  if (progress.lock === undefined) {
    await step(
      "check_other_desktops",
      async () => {
        const other = await writes.now((db) =>
          hasOtherLiveDesktop(db, request.username, request.desktop_uuid, clock(deps)),
        );
        await save({ lock: !other });
        return other;
      },
      (other) => (other ? "the user has another desktop in use: not locked" : "no other desktop in use"),
    );
  }
  if (progress.lock && progress.locked === undefined) {
    const user = await step(
      "find_user",
      () => deps.platform.findUser(request.username),
      (u) => (u ? `user ${u.name} (${u.id})` : "the platform no longer has this user"),
    );
    if (user) await step("lock_user", () => deps.platform.lockUser(user.id));
    await save({ locked: user !== null });
    if (user) await writes.write((db) => setLeaseUserLocked(db, request.desktop_uuid, true));
  }
  const userLocked = progress.locked === true;
  return {
    data: {
      event: "lease.expire",
      desktop_uuid: request.desktop_uuid,
      username: request.username,
      expires_at: request.expires_at,
      user_locked: userLocked,
      delete_at: at(request.expires_at, leaseWindows(deps).graceMs),
      note: userLocked
        ? "the lease ended: the user is locked; the desktop is deleted at delete_at unless the lease is extended"
        : "the lease ended: the user keeps another desktop, so is not locked; the desktop is deleted at delete_at unless the lease is extended",
    },
  };
}

/** lease.delete: the desktop delete (with `delete_user_if_last`), as POST /api/desktop/delete does it. */
export async function runLeaseDelete(deps: WorkerDeps, task: TaskRow): Promise<TaskOutcome> {
  const request = task.request as LeaseStepRequest;
  const { data } = await runDesktopDelete(deps, task);
  return {
    data: {
      event: "lease.delete",
      ...data,
      username: (data.username as string | null) ?? request.username,
      expires_at: request.expires_at,
      note: "the lease's grace period ended: the desktop was deleted",
    },
  };
}

interface DesktopLeaseProgress {
  /** The lease end before this request, read once (null: none). */
  previous?: string | null;
  username?: string;
  /** The expiry had locked the user: unlocked again. */
  unlock?: boolean;
  unlocked?: boolean;
}

/**
 * desktop.lease: set the new end (back to no lease stage, as set by this task), then, when the
 * old lease's expiry had locked the user, unlock them. Refused once the lease's delete has
 * begun. The end is written first, so the sweep stops at once; a re-run writes it again (the
 * same values) and finishes the unlock.
 */
export async function runDesktopLease(deps: WorkerDeps, task: TaskRow): Promise<TaskOutcome> {
  const request = task.request as DesktopLeaseRequest;
  const { progress, save, step, writes } = taskContext<DesktopLeaseProgress>(deps, task);
  if (progress.previous === undefined) {
    const row = await writes.now((db) => getDesktopRow(db, request.desktop_uuid));
    if (!row) throw notFound(`desktop ${request.desktop_uuid} is not known`);
    await writes.now((db) =>
      saveProgress(db, task.id, {
        previous: row.leaseExpiresAt?.toISOString() ?? null,
        username: row.username,
      }),
    );
    progress.previous = row.leaseExpiresAt?.toISOString() ?? null;
    progress.username = row.username;
  }
  if (progress.unlock === undefined) {
    await step(
      "set_lease",
      async () => {
        // The new lease and "this step is done" commit together: extendLease starts the lease's
        // steps over, so a re-run after a crash must never apply it a second time (the sweep
        // would claim the same notice or expiry again; found by the kill9 drill).
        const { extended, userLocked } = await writes.now((db) =>
          db.transaction(async (tx) => {
            const outcome = await extendLease(
              tx,
              request.desktop_uuid,
              new Date(request.expires_at),
              task.id,
            );
            if (outcome.extended) await saveProgress(tx, task.id, { unlock: outcome.userLocked });
            return outcome;
          }),
        );
        if (!extended) {
          throw new TaskFailure(
            `the lease of desktop ${request.desktop_uuid} ended and its delete has begun: it can no longer be extended`,
          );
        }
        progress.unlock = userLocked;
      },
      () => `lease ends ${request.expires_at}`,
    );
  }
  const username = progress.username!;
  if (progress.unlock && !progress.unlocked) {
    const user = await step(
      "find_user",
      () => deps.platform.findUser(username),
      (u) =>
        u ? `user ${u.name} (${u.id}), locked by the lease's expiry` : "the platform no longer has this user",
    );
    if (user) await step("unlock_user", () => deps.platform.unlockUser(user.id));
    await writes.write((db) => setLeaseUserLocked(db, request.desktop_uuid, false));
    await save({ unlocked: user !== null });
  }
  const data: Omit<DesktopLeaseResult, "task_id"> = {
    desktop_uuid: request.desktop_uuid,
    username,
    expires_at: new Date(request.expires_at).toISOString(),
    previous_expires_at: progress.previous ?? null,
    user_unlocked: progress.unlocked === true,
  };
  return { data };
}

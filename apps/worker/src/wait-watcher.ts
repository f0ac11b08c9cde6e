import { deferWaits, dueWaits, isLockWait, msUntilNextWait, resumeWaits } from "@deskgate/db";
import type { WorkerDeps } from "./deps.ts";

export interface WaitWatcher {
  /** Look again now (a task of this process just parked). */
  nudge(): void;
  stop(): Promise<void>;
}

/** Most waits checked in one pass (one batched platform call covers them all). */
const BATCH = 1000;
/** Longest sleep: a wait parked by another worker is seen within this. */
const MAX_SLEEP_MS = 1000;

/**
 * Resumes parked tasks (task_waits) when their platform job is no longer pending. One pass:
 * the waits due now (or within half a poll interval, so that nearby ones share the call), one
 * `pendingJobs` call for all of their platform jobs, the still-pending ones deferred by the
 * poll interval, the others resumed with a job carrying their resume token. Passes are at
 * least half a poll interval apart, so the platform sees a couple of list calls per interval
 * however many tasks wait. Every worker runs one; the resume is claimed in a transaction, so
 * two watchers resume a task once. A wait past its job timeout is resumed anyway (its run
 * fails the task); when the platform cannot list, the others wait on.
 */
export function startWaitWatcher(deps: WorkerDeps): WaitWatcher {
  const { pollIntervalMs, jobTimeoutMs } = deps.settings;
  const gapMs = Math.max(10, Math.floor(pollIntervalMs / 2));
  const log = deps.logger.child({ component: "wait-watcher" });
  let stopping = false;
  let wake: (() => void) | null = null;
  let nudged = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (nudged || stopping) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  const pass = async (): Promise<number> => {
    const due = await dueWaits(deps.database.db, BATCH, gapMs);
    if (due.length === 0) return 0;
    // A wait past its job's timeout is resumed whatever the platform says: its run fails it.
    // A task parked on a held resource is due when the holder ends: it just tries again.
    const late = (w: (typeof due)[number]) =>
      isLockWait(w.platformJobId) || Date.now() - w.since.getTime() >= jobTimeoutMs;
    const jobIds = due.map((w) => w.platformJobId).filter((id) => !isLockWait(id));
    let pending: Set<string>;
    try {
      pending = jobIds.length ? await deps.platform.pendingJobs([...new Set(jobIds)]) : new Set();
    } catch (error) {
      // The platform cannot list now: only the late ones go on (their run decides).
      log.warn({ err: String(error), waits: due.length }, "could not list pending platform jobs");
      pending = new Set(due.map((w) => w.platformJobId));
    }
    const waiting = due.filter((w) => pending.has(w.platformJobId) && !late(w));
    await deferWaits(deps.database.db, waiting, pollIntervalMs);
    return resumeWaits(
      deps.database.db,
      deps.boss,
      due.filter((w) => !waiting.includes(w)),
    );
  };

  const loop = (async () => {
    while (!stopping) {
      nudged = false;
      let next = MAX_SLEEP_MS;
      try {
        const resumed = await pass();
        if (resumed) log.debug({ resumed }, "resumed parked tasks");
        const until = await msUntilNextWait(deps.database.db);
        next = Math.min(MAX_SLEEP_MS, Math.max(gapMs, until === null ? MAX_SLEEP_MS : until - gapMs));
      } catch (error) {
        if (!stopping) log.warn({ err: String(error) }, "wait watcher pass failed");
      }
      // At least `gapMs` between passes, nudged or not: a burst of parks shares one pass.
      await new Promise((r) => setTimeout(r, gapMs));
      await sleep(Math.max(0, next - gapMs));
    }
  })();

  return {
    nudge() {
      nudged = true;
      wake?.();
    },
    async stop() {
      stopping = true;
      wake?.();
      await loop;
    },
  };
}

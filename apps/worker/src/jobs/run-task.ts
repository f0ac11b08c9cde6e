import { JobCatalog, type QueueName } from "@deskgate/contracts";
import { finishWithCallback, getWait, parkTask, saveProgress, startTask, type TaskRow } from "@deskgate/db";
import { isUpstreamError } from "@deskgate/upstream";
import type { WorkerDeps } from "../deps.ts";
import { type FailureCode, TaskFailure } from "../failure.ts";
import { holdResource } from "../locks.ts";
import { Park } from "../platform-job.ts";
import { flushedBeforeCalls, heldWrites } from "../writes.ts";

export interface TaskOutcome {
  data: Record<string, unknown>;
  /** A generated password for the callback (sealed until delivered). */
  password?: string;
  /**
   * A secret for a synchronous caller (pwd-reset's password, VNC launch URLs): sealed into
   * `tasks.progress.sealedPassword` when the task ends, for the api to take (read and wipe)
   * into its answer. Never in `result`.
   */
  secretForCaller?: string;
}

export interface TaskKindHandler {
  run(deps: WorkerDeps, task: TaskRow): Promise<TaskOutcome>;
  /** Undo upstream effects after a permanent failure; returns what was undone. */
  rollback?(deps: WorkerDeps, task: TaskRow): Promise<string[]>;
}

/**
 * The life of one task job: start (or resume) the task, run its kind, and end it with a
 * callback — or park it while a platform job works (`Park`; the wait watcher resumes it). Transient trouble (upstream 5xx/429/timeouts, a database blip) is thrown so
 * pg-boss retries the job with backoff; on the last retry, or on a permanent failure, the
 * task fails, its upstream effects are rolled back, and the failure callback says so.
 */
export async function runTaskJob(
  given: WorkerDeps,
  queue: QueueName,
  job: { data: { task_id?: string; resume_token?: string }; retryCount: number },
  kind: TaskKindHandler,
): Promise<void> {
  if (!job.data.task_id) return;
  const resumeToken = job.data.resume_token ?? null;
  // A resume job delivered for the first time continues the parked run; a retried one starts over.
  const continued = resumeToken !== null && job.retryCount === 0;
  const task = await startTask(given.database.db, job.data.task_id, resumeToken, continued);
  // Already ended (a duplicate delivery of the job), or parked for a newer job: nothing to do.
  if (!task) return;
  const wait = resumeToken ? await getWait(given.database.db, task.id) : undefined;
  // bookkeeping is held back until the next upstream call (see heldWrites)
  const writes = heldWrites(given.database);
  // every line of the task's run names it, and the request that made it (issue 16.5)
  const log = given.logger.child({
    task_id: task.id,
    kind: task.kind,
    attempt: job.retryCount + 1,
    ...(task.requestId ? { request_id: task.requestId } : {}),
  });
  const deps: WorkerDeps = {
    ...given,
    logger: log,
    writes,
    platform: flushedBeforeCalls(given.platform, writes),
    hpc: flushedBeforeCalls(given.hpc, writes),
  };
  const progress = task.progress as { failure?: string; failureCode?: FailureCode; sealedPassword?: string };
  try {
    if (progress.failure) throw new TaskFailure(progress.failure, progress.failureCode);
    await holdResource(deps, task);
    const parking = { platformJobId: wait?.platformJobId ?? null, since: wait?.since ?? null };
    const outcome = await kind.run({ ...deps, parking }, task);
    await writes.flush();
    const ended = await finishWithCallback(deps, task, {
      state: "succeeded",
      data: outcome.data,
      password: outcome.password,
      progress: {
        ...(task.progress as object),
        sealedPassword:
          outcome.secretForCaller === undefined ? undefined : deps.box.seal(outcome.secretForCaller),
      },
    });
    if (ended) observeDuration(deps, task, "succeeded");
    deps.waitWatcher?.nudge(); // tasks parked on what this one held
    log.info("task succeeded");
  } catch (error) {
    if (error instanceof Park) {
      await park(deps, task, error);
      log.debug({ platform_job_id: error.platformJobId }, "task parked until its platform job ends");
      return;
    }
    const lastTry = job.retryCount >= JobCatalog[queue].policy.retryLimit;
    const permanent = error instanceof TaskFailure || (isUpstreamError(error) && !error.transient);
    if (!permanent && !lastTry) {
      log.warn({ err: describe(error) }, "task step failed; the job will be retried");
      await writes.flush().catch(() => {}); // the failed step's record, if the database allows
      throw error;
    }
    const reason = permanent
      ? (error as Error).message
      : `gave up after ${job.retryCount + 1} attempts: ${describe(error)}`;
    const failureCode = failureCodeOf(error);
    await writes.write((db) => saveProgress(db, task.id, { failure: reason, failureCode }));
    await writes.flush();
    let undone: string[] = [];
    let unfinished: string | null = null;
    try {
      undone = kind.rollback ? await kind.rollback(deps, task) : [];
    } catch (rollbackError) {
      // A later run finishes the rollback (its progress says the task fails); on the last
      // try the task still ends, failed, saying what may be left upstream.
      if (!lastTry) {
        log.warn({ err: describe(rollbackError) }, "rollback failed; the job will be retried");
        await writes.flush().catch(() => {});
        throw rollbackError;
      }
      unfinished = describe(rollbackError);
    }
    await writes.flush();
    const message = [
      reason,
      ...(undone.length ? [`rolled back: ${undone.join(", ")}`] : []),
      ...(unfinished ? [`rollback incomplete (${unfinished}); what it made may remain upstream`] : []),
    ].join("; ");
    const ended = await finishWithCallback(deps, task, {
      state: "failed",
      message,
      progress: { ...(task.progress as object), failure: reason, failureCode, sealedPassword: undefined },
    });
    if (ended) observeDuration(deps, task, "failed");
    deps.waitWatcher?.nudge();
    log.warn({ reason: message }, "task failed");
  }
}

/**
 * End the run while the platform works: what the run recorded, then the wait and the task's
 * new resume token in one transaction (a kill before it re-runs the job as today; after it,
 * the old job finds the task parked for another). The slot is free the moment this returns.
 */
async function park(deps: WorkerDeps, task: TaskRow, signal: Park) {
  await deps.writes!.flush();
  const checkAfterMs = signal.checkAfterMs ?? deps.settings.pollIntervalMs;
  await deps.database.db.transaction((tx) =>
    parkTask(tx, { taskId: task.id, platformJobId: signal.platformJobId, checkAfterMs }),
  );
  deps.waitWatcher?.nudge();
}

/** Time from the task's creation to its end (only by the run that ended it). */
function observeDuration(deps: WorkerDeps, task: TaskRow, outcome: "succeeded" | "failed") {
  deps.metrics?.taskDuration.observe(
    { kind: task.kind, outcome },
    (Date.now() - task.createdAt.getTime()) / 1000,
  );
}

/**
 * Whether the task failed because something it names does not exist: a TaskFailure says so,
 * and so does a permanent "not_found" from the platform (the desktop or user went away between
 * the look-up and the change). A synchronous caller then gets 404 instead of 422.
 */
function failureCodeOf(e: unknown): FailureCode {
  if (e instanceof TaskFailure) return e.code;
  return isUpstreamError(e) && !e.transient && e.reason === "not_found" ? "not_found" : "failed";
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

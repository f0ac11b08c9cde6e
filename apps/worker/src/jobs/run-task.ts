import { JobCatalog, type QueueName } from "@deskgate/contracts";
import { finishWithCallback, saveProgress, startTask, type TaskRow } from "@deskgate/db";
import { isUpstreamError } from "@deskgate/upstream";
import type { WorkerDeps } from "../deps.ts";
import { TaskFailure } from "../failure.ts";
import { flushedBeforeCalls, heldWrites } from "../writes.ts";

export interface TaskOutcome {
  data: Record<string, unknown>;
  /** A generated password for the callback (sealed until delivered). */
  password?: string;
  /**
   * A secret for a synchronous caller (pwd-reset): sealed into `tasks.progress.sealedPassword`
   * when the task ends, for the api to read and wipe. Never in `result`.
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
 * callback. Transient trouble (upstream 5xx/429/timeouts, a database blip) is thrown so
 * pg-boss retries the job with backoff; on the last retry, or on a permanent failure, the
 * task fails, its upstream effects are rolled back, and the failure callback says so.
 */
export async function runTaskJob(
  given: WorkerDeps,
  queue: QueueName,
  job: { data: { task_id?: string }; retryCount: number },
  kind: TaskKindHandler,
): Promise<void> {
  if (!job.data.task_id) return;
  const task = await startTask(given.database.db, job.data.task_id);
  if (!task) return; // already ended (a duplicate delivery of the job): nothing to do
  // bookkeeping is held back until the next upstream call (see heldWrites)
  const writes = heldWrites(given.database);
  const deps: WorkerDeps = {
    ...given,
    writes,
    platform: flushedBeforeCalls(given.platform, writes),
    hpc: flushedBeforeCalls(given.hpc, writes),
  };
  const log = deps.logger.child({ task_id: task.id, kind: task.kind, attempt: job.retryCount + 1 });
  const progress = task.progress as { failure?: string; sealedPassword?: string };
  try {
    if (progress.failure) throw new TaskFailure(progress.failure);
    const outcome = await kind.run(deps, task);
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
    log.info("task succeeded");
  } catch (error) {
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
    await writes.write((db) => saveProgress(db, task.id, { failure: reason }));
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
      progress: { ...(task.progress as object), failure: reason, sealedPassword: undefined },
    });
    if (ended) observeDuration(deps, task, "failed");
    log.info({ reason: message }, "task failed");
  }
}

/** Time from the task's creation to its end (only by the run that ended it). */
function observeDuration(deps: WorkerDeps, task: TaskRow, outcome: "succeeded" | "failed") {
  deps.metrics?.taskDuration.observe(
    { kind: task.kind, outcome },
    (Date.now() - task.createdAt.getTime()) / 1000,
  );
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

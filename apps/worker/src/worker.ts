import { JobCatalog, type JobPayload, type QueueName } from "@deskgate/contracts";
import { ensureQueues, type Job } from "@deskgate/db";
import type { WorkerDeps } from "./deps.ts";
import { rollbackApply, runApply } from "./jobs/apply.ts";
import { deliverCallback } from "./jobs/deliver-callback.ts";
import { runTaskJob } from "./jobs/run-task.ts";

type Handlers = { [Q in QueueName]: (deps: WorkerDeps, job: Job<JobPayload<Q>>) => Promise<void> };

/** One handler per catalog queue: a queue without one is a compile error. */
const handlers: Handlers = {
  "desktop.apply": (deps, job) =>
    runTaskJob(deps, "desktop.apply", job, {
      run: async (d, task) => {
        const outcome = await runApply(d, task);
        return { data: outcome.data, password: outcome.password };
      },
      rollback: rollbackApply,
    }),
  "callback.deliver": deliverCallback,
};

export interface RunningWorker {
  stop(opts?: { timeoutMs?: number }): Promise<void>;
}

/**
 * Subscribe to every queue. Jobs are fetched in batches and run concurrently; each job is
 * settled on its own (a failing one is retried by pg-boss without touching the others).
 * LISTEN/NOTIFY wakes the worker at commit; polling every 2 s is the safety net (retries and
 * delayed jobs do not NOTIFY).
 */
export async function startWorker(deps: WorkerDeps): Promise<RunningWorker> {
  await ensureQueues(deps.boss);
  for (const queue of Object.keys(JobCatalog) as QueueName[]) {
    const handle = handlers[queue] as (deps: WorkerDeps, job: Job<unknown>) => Promise<void>;
    await deps.boss.work<unknown>(
      queue,
      {
        batchSize: queue === "callback.deliver" ? 20 : 5,
        localConcurrency: Math.max(1, Math.ceil(deps.settings.concurrency / 5)),
        burstWhenBatchFull: true,
        pollingIntervalSeconds: 2,
        notifyPollingIntervalSeconds: 2,
        perJobResults: true,
      },
      async (jobs) =>
        Promise.all(
          jobs.map(async (job) => {
            try {
              await handle(deps, job);
              return { id: job.id, status: "completed" as const };
            } catch (error) {
              deps.logger.warn(
                { queue, job_id: job.id, err: error instanceof Error ? error.message : String(error) },
                "job failed",
              );
              return { id: job.id, status: "failed" as const, output: { message: String(error) } };
            }
          }),
        ),
    );
  }
  return {
    async stop({ timeoutMs = 30_000 } = {}) {
      await deps.boss.stop({ graceful: true, timeout: timeoutMs });
    },
  };
}

import { JobCatalog, type JobPayload, type QueueName } from "@deskgate/contracts";
import { ensureQueues, type Job } from "@deskgate/db";
import type { WorkerDeps } from "./deps.ts";
import { startDispatcher } from "./dispatcher.ts";
import { rollbackApply, runApply } from "./jobs/apply.ts";
import { deliverCallback } from "./jobs/deliver-callback.ts";
import { runDesktopDelete } from "./jobs/desktop-delete.ts";
import { runDesktopPower } from "./jobs/desktop-power.ts";
import { runDesktopRebuild } from "./jobs/desktop-rebuild.ts";
import {
  LEASE_CRON,
  runDesktopLease,
  runLeaseDelete,
  runLeaseExpire,
  runLeaseExpiring,
  runLeaseSweep,
} from "./jobs/lease.ts";
import { runPolicyUpdate } from "./jobs/policy-update.ts";
import { runPwdReset } from "./jobs/pwd-reset.ts";
import { reconcile, runReconcileTask } from "./jobs/reconcile.ts";
import { runResourceUpdate } from "./jobs/resource-update.ts";
import { runTaskJob } from "./jobs/run-task.ts";
import { runUserLock } from "./jobs/user-lock.ts";
import { runUserOffboard } from "./jobs/user-offboard.ts";
import { runVncClose, runVncList, runVncOpen } from "./jobs/vnc.ts";
import { countUpstreamCalls } from "./upstream-metrics.ts";
import { startWaitWatcher } from "./wait-watcher.ts";

type Handlers = { [Q in QueueName]: (deps: WorkerDeps, job: Job<JobPayload<Q>>) => Promise<void> };

/** Default reconcile schedule: every 10 minutes. */
export const RECONCILE_CRON = "*/10 * * * *";

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
  "desktop.resource_update": (deps, job) =>
    runTaskJob(deps, "desktop.resource_update", job, { run: runResourceUpdate }),
  "desktop.policy_update": (deps, job) =>
    runTaskJob(deps, "desktop.policy_update", job, { run: runPolicyUpdate }),
  "desktop.delete": (deps, job) => runTaskJob(deps, "desktop.delete", job, { run: runDesktopDelete }),
  "desktop.power": (deps, job) => runTaskJob(deps, "desktop.power", job, { run: runDesktopPower }),
  "desktop.rebuild": (deps, job) => runTaskJob(deps, "desktop.rebuild", job, { run: runDesktopRebuild }),
  "desktop.lease": (deps, job) => runTaskJob(deps, "desktop.lease", job, { run: runDesktopLease }),
  "lease.expiring": (deps, job) => runTaskJob(deps, "lease.expiring", job, { run: runLeaseExpiring }),
  "lease.expire": (deps, job) => runTaskJob(deps, "lease.expire", job, { run: runLeaseExpire }),
  "lease.delete": (deps, job) => runTaskJob(deps, "lease.delete", job, { run: runLeaseDelete }),
  "lease.sweep": async (deps) => {
    const made = await runLeaseSweep(deps);
    if (made["lease.expiring"] + made["lease.expire"] + made["lease.delete"] > 0) {
      deps.logger.info(made, "lease sweep started lease steps");
    }
  },
  "user.offboard": (deps, job) => runTaskJob(deps, "user.offboard", job, { run: runUserOffboard }),
  "user.pwd_reset": (deps, job) => runTaskJob(deps, "user.pwd_reset", job, { run: runPwdReset }),
  "user.lock": (deps, job) => runTaskJob(deps, "user.lock", job, { run: runUserLock(true) }),
  "user.unlock": (deps, job) => runTaskJob(deps, "user.unlock", job, { run: runUserLock(false) }),
  "hpc.vnc_open": (deps, job) => runTaskJob(deps, "hpc.vnc_open", job, { run: runVncOpen }),
  "hpc.vnc_list": (deps, job) => runTaskJob(deps, "hpc.vnc_list", job, { run: runVncList }),
  "hpc.vnc_close": (deps, job) => runTaskJob(deps, "hpc.vnc_close", job, { run: runVncClose }),
  "platform.reconcile": async (deps, job) => {
    if (job.data.task_id) {
      await runTaskJob(deps, "platform.reconcile", job, { run: runReconcileTask });
      return;
    }
    const summary = await reconcile(deps);
    deps.logger.info(summary, "reconcile done");
  },
  "callback.deliver": deliverCallback,
};

export interface RunningWorker {
  stop(opts?: { timeoutMs?: number }): Promise<void>;
}

/**
 * Run every catalog queue through the dispatcher: the task queues share
 * `settings.concurrency` slots, callback deliveries have as many of their own (a slow
 * receiver never holds up provisioning). Each job starts the moment it is queued (NOTIFY) and
 * is settled on its own; a failing one is retried by pg-boss without touching the others.
 * A task waiting for a platform job parks (gives its slot back) and the wait watcher resumes
 * it when the job ends. The reconcile job and the lease sweep are put on their crons (pg-boss `schedule` is an upsert, so every worker may
 * call it; pg-boss sends one job per tick across all of them).
 */
export async function startWorker(given: WorkerDeps): Promise<RunningWorker> {
  const { metrics } = given;
  const counted: WorkerDeps = metrics
    ? {
        ...given,
        platform: countUpstreamCalls(given.platform, metrics),
        hpc: countUpstreamCalls(given.hpc, metrics),
      }
    : given;
  const waitWatcher = startWaitWatcher(counted);
  const deps: WorkerDeps = { ...counted, waitWatcher };
  await ensureQueues(deps.boss);
  const cron = deps.settings.reconcileCron === undefined ? RECONCILE_CRON : deps.settings.reconcileCron;
  if (cron) await deps.boss.schedule("platform.reconcile", cron, {});
  const leaseCron = deps.settings.leaseCron === undefined ? LEASE_CRON : deps.settings.leaseCron;
  if (leaseCron) await deps.boss.schedule("lease.sweep", leaseCron, {});
  const queues = Object.keys(JobCatalog) as QueueName[];
  const dispatcher = await startDispatcher({
    boss: deps.boss,
    database: deps.database,
    logger: deps.logger,
    lanes: [
      { queues: queues.filter((q) => q !== "callback.deliver"), concurrency: deps.settings.concurrency },
      { queues: ["callback.deliver"], concurrency: deps.settings.concurrency },
    ],
    handle: (queue, job) =>
      (handlers[queue] as (deps: WorkerDeps, job: Job<unknown>) => Promise<void>)(deps, job),
  });
  return {
    async stop({ timeoutMs = 30_000 } = {}) {
      await dispatcher.stop(timeoutMs);
      await waitWatcher.stop();
      await deps.boss.stop({ graceful: true, timeout: 5_000 });
    },
  };
}

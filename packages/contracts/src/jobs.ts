import { z } from "zod";

/**
 * The job catalog: every pg-boss queue, its payload schema and its retry policy, declared
 * once. The worker registers one handler per entry (a missing one is a type error) and the
 * api enqueues through the same entries.
 *
 * Retry policy (docs/design.md): jobs resume from recorded progress, so a retry is always
 * safe. `heartbeatSeconds: 10` with the 5-second supervisor lets pg-boss notice a killed
 * worker within ~15 s. `expireInSeconds` bounds a job that hangs.
 */
export const TaskJob = z.object({
  task_id: z.uuid(),
  /** Set on the job that resumes a parked task: only it may run the task (tasks.resume_token). */
  resume_token: z.uuid().optional(),
});
export type TaskJob = z.infer<typeof TaskJob>;

/** `manual`: an operator's redelivery (one immediate attempt, trigger "manual"), not the schedule. */
export const DeliveryJob = z.object({
  delivery_id: z.uuid(),
  attempt: z.int().min(1),
  manual: z.boolean().optional(),
});
export type DeliveryJob = z.infer<typeof DeliveryJob>;

/** The lease sweep (cron): no payload; the worker's clock decides what is due. */
export const LeaseSweepJob = z.object({});
export type LeaseSweepJob = z.infer<typeof LeaseSweepJob>;

export const ReconcileJob = z.object({ task_id: z.uuid().optional() });
export type ReconcileJob = z.infer<typeof ReconcileJob>;

export interface QueuePolicy {
  retryLimit: number;
  retryDelay: number;
  retryBackoff: boolean;
  retryDelayMax?: number;
  expireInSeconds: number;
  heartbeatSeconds: number;
  deleteAfterSeconds: number;
}

const WEEK = 7 * 24 * 3600;

/** Upstream work: slow platform jobs, many transient failures worth retrying. */
const upstreamTask: QueuePolicy = {
  retryLimit: 8,
  retryDelay: 2,
  retryBackoff: true,
  retryDelayMax: 300,
  expireInSeconds: 3600,
  heartbeatSeconds: 10,
  deleteAfterSeconds: WEEK,
};

/** Synchronous-for-the-caller work: short, so fewer and quicker retries. */
const quickTask: QueuePolicy = {
  retryLimit: 4,
  retryDelay: 1,
  retryBackoff: true,
  retryDelayMax: 30,
  expireInSeconds: 300,
  heartbeatSeconds: 10,
  deleteAfterSeconds: WEEK,
};

export const JobCatalog = {
  "desktop.apply": { payload: TaskJob, policy: upstreamTask },
  "desktop.resource_update": { payload: TaskJob, policy: upstreamTask },
  "desktop.policy_update": { payload: TaskJob, policy: quickTask },
  "desktop.delete": { payload: TaskJob, policy: upstreamTask },
  "desktop.power": { payload: TaskJob, policy: upstreamTask },
  "desktop.rebuild": { payload: TaskJob, policy: upstreamTask },
  "desktop.lease": { payload: TaskJob, policy: upstreamTask },
  "lease.expiring": { payload: TaskJob, policy: upstreamTask },
  "lease.expire": { payload: TaskJob, policy: upstreamTask },
  "lease.delete": { payload: TaskJob, policy: upstreamTask },
  "user.pwd_reset": { payload: TaskJob, policy: quickTask },
  "user.lock": { payload: TaskJob, policy: quickTask },
  "user.unlock": { payload: TaskJob, policy: quickTask },
  "user.offboard": { payload: TaskJob, policy: upstreamTask },
  "hpc.vnc_open": { payload: TaskJob, policy: quickTask },
  "hpc.vnc_list": { payload: TaskJob, policy: quickTask },
  "hpc.vnc_close": { payload: TaskJob, policy: quickTask },
  "platform.reconcile": {
    payload: ReconcileJob,
    policy: { ...upstreamTask, retryLimit: 2, expireInSeconds: 1800 },
  },
  "lease.sweep": {
    payload: LeaseSweepJob,
    policy: { ...quickTask, retryLimit: 1, expireInSeconds: 300, deleteAfterSeconds: 24 * 3600 },
  },
  "callback.deliver": {
    payload: DeliveryJob,
    policy: {
      retryLimit: 3,
      retryDelay: 5,
      retryBackoff: true,
      retryDelayMax: 120,
      expireInSeconds: 120,
      heartbeatSeconds: 10,
      deleteAfterSeconds: WEEK,
    },
  },
} as const satisfies Record<string, { payload: z.ZodType; policy: QueuePolicy }>;

export type QueueName = keyof typeof JobCatalog;
export type JobPayload<Q extends QueueName> = z.infer<(typeof JobCatalog)[Q]["payload"]>;

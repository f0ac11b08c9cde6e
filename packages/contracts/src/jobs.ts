import { z } from "zod";

/**
 * The job catalog: every pg-boss queue, its payload schema and its retry policy, declared
 * once. The worker registers one handler per entry (a missing one is a type error) and the
 * api enqueues through the same entries.
 *
 * Retry policy (see docs/operations.md): jobs resume from recorded progress, so a retry is
 * always safe. `heartbeatSeconds` lets pg-boss notice a killed worker within ~15 s.
 */
export const TaskJob = z.object({ task_id: z.uuid() });
export type TaskJob = z.infer<typeof TaskJob>;

export const DeliveryJob = z.object({ delivery_id: z.uuid(), attempt: z.int().min(1) });
export type DeliveryJob = z.infer<typeof DeliveryJob>;

export interface QueuePolicy {
  retryLimit: number;
  retryDelay: number;
  retryBackoff: boolean;
  retryDelayMax?: number;
  expireInSeconds: number;
  heartbeatSeconds: number;
  deleteAfterSeconds: number;
}

export const JobCatalog = {
  "desktop.apply": {
    payload: TaskJob,
    policy: {
      retryLimit: 8,
      retryDelay: 2,
      retryBackoff: true,
      retryDelayMax: 300,
      expireInSeconds: 3600,
      heartbeatSeconds: 10,
      deleteAfterSeconds: 7 * 24 * 3600,
    },
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
      deleteAfterSeconds: 7 * 24 * 3600,
    },
  },
} as const satisfies Record<string, { payload: z.ZodType; policy: QueuePolicy }>;

export type QueueName = keyof typeof JobCatalog;
export type JobPayload<Q extends QueueName> = z.infer<(typeof JobCatalog)[Q]["payload"]>;

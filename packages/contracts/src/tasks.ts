import { z } from "zod";
import { envelopeSchema } from "./envelope.ts";

export const TaskKind = z.enum([
  "desktop.apply",
  "desktop.resource_update",
  "desktop.policy_update",
  "user.pwd_reset",
  "hpc.vnc_open",
  "hpc.vnc_list",
  "hpc.vnc_close",
  "platform.reconcile",
]);
export type TaskKind = z.infer<typeof TaskKind>;

export const TaskState = z.enum(["queued", "running", "succeeded", "failed", "cancelled"]);
export type TaskState = z.infer<typeof TaskState>;

export const StepOutcome = z.enum(["running", "ok", "failed", "skipped"]);

/** One recorded step of a task: what was done upstream, when, and how it ended. */
export const TaskStep = z.object({
  name: z.string(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  outcome: StepOutcome,
  detail: z.string().nullable(),
  upstream_request_id: z.string().nullable(),
});
export type TaskStep = z.infer<typeof TaskStep>;

export const DeliveryAttempt = z.object({
  attempt: z.int(),
  trigger: z.enum(["scheduled", "manual"]),
  outcome: z.string(),
  http_status: z.int().nullable(),
  error_class: z.string().nullable(),
  latency_ms: z.int().nullable(),
  response_prefix: z.string().nullable(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
});

export const CallbackDelivery = z.object({
  webhook_id: z.string(),
  url: z.string(),
  state: z.enum(["pending", "delivered", "failed", "gone"]),
  attempts: z.array(DeliveryAttempt),
  next_attempt_at: z.string().nullable(),
});

/** GET /api/tasks/{task_id} (SPEC 2.7): never holds a secret. */
export const TaskView = z.object({
  task_id: z.string(),
  kind: TaskKind,
  state: TaskState,
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  steps: z.array(TaskStep),
  result: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  callbacks: z.array(CallbackDelivery),
});
export type TaskView = z.infer<typeof TaskView>;

export const TaskResponse = envelopeSchema(TaskView.nullable(), "number");

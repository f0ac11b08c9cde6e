import { z } from "zod";
import { DesktopDeleteResult } from "./desktop/delete.ts";
import { DesktopLeaseResult } from "./desktop/lease.ts";
import { DesktopPowerResult } from "./desktop/power.ts";
import { DesktopRebuildResult } from "./desktop/rebuild.ts";
import { envelopeSchema } from "./envelope.ts";
import { UserLockResult } from "./user/lock.ts";
import { UserOffboardResult } from "./user/offboard.ts";

export const TaskKind = z.enum([
  "desktop.apply",
  "desktop.resource_update",
  "desktop.policy_update",
  "desktop.delete",
  "desktop.power",
  "desktop.rebuild",
  "desktop.lease",
  "lease.expiring",
  "lease.expire",
  "lease.delete",
  "user.pwd_reset",
  "user.lock",
  "user.unlock",
  "user.offboard",
  "hpc.vnc_open",
  "hpc.vnc_list",
  "hpc.vnc_close",
  "platform.reconcile",
]);
export type TaskKind = z.infer<typeof TaskKind>;

export const TaskState = z.enum(["queued", "running", "succeeded", "failed", "cancelled"]);
export type TaskState = z.infer<typeof TaskState>;

/** `waiting`: the task is parked on this step until its platform job ends (no worker slot held). */
export const StepOutcome = z.enum(["running", "waiting", "ok", "failed", "skipped"]);

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

/** A lease step's result: its callback's data (LeaseExpiringEvent and the others in desktop/lease.ts). */
const leaseStepResult = <E extends string>(event: E) =>
  z.looseObject({
    event: z.literal(event),
    desktop_uuid: z.string(),
    username: z.string(),
    expires_at: z.string(),
    skipped: z.boolean().optional(),
  });

/**
 * What a finished task keeps as its `result`, per kind, as `GET /api/tasks/{id}` shows it:
 * never a secret (passwords, tokens and launch URLs with tickets go to the caller only).
 * A kind without an entry here does not type-check, so every new kind documents its result.
 */
export const TaskResults = {
  "desktop.apply": z.looseObject({
    username: z.string(),
    desktop_uuid: z.string(),
    desktop_name: z.string(),
    new_user: z.boolean(),
  }),
  "desktop.resource_update": z.looseObject({
    desktop_uuid: z.string(),
    cpu: z.int().optional(),
    memory: z.int().optional(),
    volume_uuid: z.string().optional(),
    volume_size: z.int().optional(),
    note: z.string().optional(),
  }),
  "desktop.policy_update": z.looseObject({
    desktop_uuid: z.string(),
    "usb-enable": z.boolean(),
    "data-access": z.boolean(),
    note: z.string().optional(),
  }),
  "desktop.delete": DesktopDeleteResult.omit({ task_id: true }).loose(),
  "desktop.power": DesktopPowerResult.omit({ task_id: true }).loose(),
  "desktop.rebuild": DesktopRebuildResult.omit({ task_id: true }).loose(),
  "desktop.lease": DesktopLeaseResult.omit({ task_id: true }).loose(),
  "lease.expiring": leaseStepResult("lease.expiring"),
  "lease.expire": leaseStepResult("lease.expire"),
  "lease.delete": leaseStepResult("lease.delete"),
  "user.pwd_reset": z.looseObject({ username: z.string(), note: z.string().optional() }),
  "user.lock": UserLockResult.omit({ task_id: true }).loose(),
  "user.unlock": UserLockResult.omit({ task_id: true }).loose(),
  "user.offboard": UserOffboardResult.omit({ task_id: true }).loose(),
  "hpc.vnc_open": z.looseObject({ sessionId: z.string(), hostname: z.string().optional() }),
  "hpc.vnc_list": z.looseObject({ sessions: z.array(z.looseObject({ sessionId: z.string() })) }),
  "hpc.vnc_close": z.looseObject({ sessionId: z.string() }),
  "platform.reconcile": z.looseObject({
    users: z.int(),
    desktops: z.int(),
    volumes: z.int(),
    drift: z.int(),
  }),
} satisfies Record<TaskKind, z.ZodType>;

const TaskViewFields = {
  task_id: z.string(),
  state: TaskState,
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  steps: z.array(TaskStep),
  error: z.string().nullable(),
  callbacks: z.array(CallbackDelivery),
  /** The request's approval metadata (null when it carried none). */
  ticket_id: z.string().nullable(),
  requester: z.string().nullable(),
};

/**
 * GET /api/tasks/{task_id} (SPEC 2.7): never holds a secret. `result` (null until the task
 * succeeds) is typed by `kind`.
 */
const viewOf = <K extends TaskKind>(kind: K) =>
  z.object({ ...TaskViewFields, kind: z.literal(kind), result: TaskResults[kind].nullable() });
export const TaskView = z.discriminatedUnion("kind", [
  viewOf("desktop.apply"),
  viewOf("desktop.resource_update"),
  viewOf("desktop.policy_update"),
  viewOf("desktop.delete"),
  viewOf("desktop.power"),
  viewOf("desktop.rebuild"),
  viewOf("desktop.lease"),
  viewOf("lease.expiring"),
  viewOf("lease.expire"),
  viewOf("lease.delete"),
  viewOf("user.pwd_reset"),
  viewOf("user.lock"),
  viewOf("user.unlock"),
  viewOf("user.offboard"),
  viewOf("hpc.vnc_open"),
  viewOf("hpc.vnc_list"),
  viewOf("hpc.vnc_close"),
  viewOf("platform.reconcile"),
]);
export type TaskView = z.infer<typeof TaskView>;
/** Compile-time: every kind has its view above (a new kind added to TaskKind must be listed). */
const everyKindViewed: [Exclude<TaskKind, TaskView["kind"]>] extends [never] ? true : never = true;
void everyKindViewed;

export const TaskResponse = envelopeSchema(TaskView.nullable(), "number");

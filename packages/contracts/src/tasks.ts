import { z } from "zod";

export const TaskKind = z.enum(["desktop.apply"]);
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
  detail: z.string().optional(),
  upstream_request_id: z.string().optional(),
});
export type TaskStep = z.infer<typeof TaskStep>;

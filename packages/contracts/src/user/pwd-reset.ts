import { z } from "zod";
import { envelopeSchema } from "../envelope.ts";
import { ApprovalFields, TaskId, Username } from "../fields.ts";

/** POST /api/user/pwd-reset — `password: ""` means "use the configured default" (SPEC 2.4). */
export const PwdResetRequest = z.object({
  username: Username,
  password: z.string({ error: "must be a string" }).max(32, { error: "must be at most 32 characters" }),
  ...ApprovalFields,
});
export type PwdResetRequest = z.infer<typeof PwdResetRequest>;

export const PwdResetResult = z.object({
  task_id: TaskId,
  username: z.string(),
  password: z.string(),
});
export type PwdResetResult = z.infer<typeof PwdResetResult>;

export const PwdResetResponse = envelopeSchema(PwdResetResult.partial(), "string");

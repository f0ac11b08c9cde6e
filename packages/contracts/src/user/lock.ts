import { z } from "zod";
import { envelopeSchema } from "../envelope.ts";
import { ApprovalEcho, ApprovalFields, CallbackUrl, TaskId, Username } from "../fields.ts";

/**
 * POST /api/user/lock and POST /api/user/unlock — a locked user cannot sign in to any of
 * their desktops. Synchronous like policy-update (the answer once the platform did it, or 202
 * after the bound); with `callback_url`, asynchronous.
 */
export const UserLockRequest = z.object({
  username: Username,
  callback_url: CallbackUrl.optional(),
  ...ApprovalFields,
});
export type UserLockRequest = z.infer<typeof UserLockRequest>;

/** `data` of the answer (or callback): the user's lock state now. */
export const UserLockResult = z.object({
  task_id: TaskId,
  username: z.string(),
  locked: z.boolean(),
  note: z.string().optional(),
  ...ApprovalEcho,
});
export type UserLockResult = z.infer<typeof UserLockResult>;

export const UserLockResponse = envelopeSchema(UserLockResult.partial(), "string");

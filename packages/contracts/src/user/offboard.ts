import { z } from "zod";
import { envelopeSchema } from "../envelope.ts";
import { ApprovalEcho, ApprovalFields, CallbackUrl, TaskId, Username } from "../fields.ts";

/**
 * POST /api/user/offboard — one task: lock the user, delete every desktop of theirs (with
 * their data disks), close their HPC VNC sessions known to deskgate, delete the user.
 * Asynchronous: the outcome is the callback.
 */
export const UserOffboardRequest = z.object({
  username: Username,
  callback_url: CallbackUrl,
  ...ApprovalFields,
});
export type UserOffboardRequest = z.infer<typeof UserOffboardRequest>;

/** What the offboarding removed, per resource. */
export const OffboardRemoved = z.object({
  desktops: z.array(z.object({ desktop_uuid: z.string(), desktop_name: z.string().nullable() })),
  volumes: z.array(z.object({ volume_uuid: z.string(), desktop_uuid: z.string() })),
  vnc_sessions: z.array(z.object({ account: z.string(), session_id: z.string() })),
  /** Whether the platform user was deleted by this task (false: it was already gone). */
  user: z.boolean(),
});
export type OffboardRemoved = z.infer<typeof OffboardRemoved>;

export const UserOffboardResult = z.object({
  task_id: TaskId,
  username: z.string(),
  removed: OffboardRemoved,
  note: z.string().optional(),
  ...ApprovalEcho,
});
export type UserOffboardResult = z.infer<typeof UserOffboardResult>;

export const UserOffboardCallback = envelopeSchema(UserOffboardResult, "string");

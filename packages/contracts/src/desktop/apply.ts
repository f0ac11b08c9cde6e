import { z } from "zod";
import { envelopeSchema } from "../envelope.ts";
import {
  ApprovalEcho,
  ApprovalFields,
  CallbackUrl,
  DesktopOs,
  LeaseExpiry,
  TaskId,
  Username,
} from "../fields.ts";

/** POST /api/desktop/apply — the seed's body, unknown fields ignored. */
export const ApplyRequest = z.object({
  username: Username,
  os: DesktopOs,
  callback_url: CallbackUrl,
  /** Optional lease end, kept on the desktop (`desktops.lease_expires_at`). */
  expires_at: LeaseExpiry.optional(),
  ...ApprovalFields,
});
export type ApplyRequest = z.infer<typeof ApplyRequest>;

export const ApplyAck = envelopeSchema(z.object({ task_id: TaskId }), "string");
export type ApplyAck = z.infer<typeof ApplyAck>;

/** The callback's `data` on success. `password` is "" when a desktop was added to an existing user. */
export const ApplyResult = z.object({
  task_id: TaskId,
  username: z.string(),
  password: z.string(),
  desktop_uuid: z.string(),
  desktop_name: z.string(),
  new_user: z.boolean(),
  ...ApprovalEcho,
});
export type ApplyResult = z.infer<typeof ApplyResult>;

export const ApplyCallback = envelopeSchema(ApplyResult, "string");
export type ApplyCallback = z.infer<typeof ApplyCallback>;

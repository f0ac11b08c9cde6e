import { z } from "zod";
import { envelopeSchema } from "../envelope.ts";
import { ApprovalEcho, ApprovalFields, CallbackUrl, ResourceId, TaskId } from "../fields.ts";

/**
 * POST /api/desktop/delete — deletes the desktop and its data disks; with
 * `delete_user_if_last`, its user too when the user has no other desktop. Asynchronous: the
 * outcome is the callback. Deleting a desktop that is already gone succeeds.
 */
export const DesktopDeleteRequest = z.object({
  desktop_uuid: ResourceId,
  callback_url: CallbackUrl,
  delete_user_if_last: z.boolean({ error: "must be true or false" }).optional(),
  ...ApprovalFields,
});
export type DesktopDeleteRequest = z.infer<typeof DesktopDeleteRequest>;

/**
 * The callback's `data` on success. `already_gone`: the platform no longer had the desktop
 * (deleted outside deskgate or by an earlier request); `volume_uuids`: the data disks that went
 * with it; `user_deleted`: whether its user was deleted too (only with `delete_user_if_last`).
 */
export const DesktopDeleteResult = z.object({
  task_id: TaskId,
  desktop_uuid: z.string(),
  username: z.string().nullable(),
  already_gone: z.boolean(),
  volume_uuids: z.array(z.string()),
  user_deleted: z.boolean(),
  note: z.string().optional(),
  ...ApprovalEcho,
});
export type DesktopDeleteResult = z.infer<typeof DesktopDeleteResult>;

export const DesktopDeleteCallback = envelopeSchema(DesktopDeleteResult, "string");

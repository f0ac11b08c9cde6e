import { z } from "zod";
import { envelopeSchema } from "../envelope.ts";
import { ApprovalEcho, ApprovalFields, CallbackUrl, DesktopOs, ResourceId, TaskId } from "../fields.ts";

/**
 * POST /api/desktop/rebuild — reimages the system disk (data disks kept), to `os` when given,
 * else to the image it runs now. The desktop keeps its uuid, name, user and flavour.
 * Asynchronous: the outcome is the callback.
 */
export const DesktopRebuildRequest = z.object({
  desktop_uuid: ResourceId,
  os: DesktopOs.optional(),
  callback_url: CallbackUrl,
  ...ApprovalFields,
});
export type DesktopRebuildRequest = z.infer<typeof DesktopRebuildRequest>;

/** The callback's `data` on success: the os it runs now and the data disks it kept. */
export const DesktopRebuildResult = z.object({
  task_id: TaskId,
  desktop_uuid: z.string(),
  os: z.string().nullable(),
  volume_uuids: z.array(z.string()),
  note: z.string().optional(),
  ...ApprovalEcho,
});
export type DesktopRebuildResult = z.infer<typeof DesktopRebuildResult>;

export const DesktopRebuildCallback = envelopeSchema(DesktopRebuildResult, "string");

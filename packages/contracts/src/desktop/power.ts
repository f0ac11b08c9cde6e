import { z } from "zod";
import { envelopeSchema } from "../envelope.ts";
import { ApprovalEcho, ApprovalFields, CallbackUrl, ResourceId, TaskId } from "../fields.ts";

export const PowerAction = z.enum(["start", "stop", "reboot"], {
  error: "must be one of start, stop, reboot",
});
export type PowerAction = z.infer<typeof PowerAction>;

/** `soft` asks the guest OS (the default); `hard` forces it (power cut, hard reset). */
export const PowerType = z.enum(["soft", "hard"], { error: "must be soft or hard" });
export type PowerType = z.infer<typeof PowerType>;

/** POST /api/desktop/power — asynchronous: the outcome is the callback. */
export const DesktopPowerRequest = z.object({
  desktop_uuid: ResourceId,
  action: PowerAction,
  type: PowerType.optional(),
  callback_url: CallbackUrl,
  ...ApprovalFields,
});
export type DesktopPowerRequest = z.infer<typeof DesktopPowerRequest>;

/** The callback's `data` on success: the desktop's power state after the action. */
export const DesktopPowerResult = z.object({
  task_id: TaskId,
  desktop_uuid: z.string(),
  action: PowerAction,
  type: PowerType,
  power: z.enum(["on", "off", "unknown"]),
  note: z.string().optional(),
  ...ApprovalEcho,
});
export type DesktopPowerResult = z.infer<typeof DesktopPowerResult>;

export const DesktopPowerCallback = envelopeSchema(DesktopPowerResult, "string");

import { z } from "zod";
import { envelopeSchema } from "../envelope.ts";
import { ApprovalEcho, ApprovalFields, CallbackUrl, ResourceId, TaskId } from "../fields.ts";

/**
 * POST /api/desktop/policy-update — hyphenated keys exactly as in the seed. Synchronous
 * unless `callback_url` is given (SPEC 2.3).
 */
export const PolicyUpdateRequest = z
  .object({
    desktop_uuid: ResourceId,
    "usb-enable": z.boolean({ error: "must be true or false" }).optional(),
    "data-access": z.boolean({ error: "must be true or false" }).optional(),
    callback_url: CallbackUrl.optional(),
    ...ApprovalFields,
  })
  .refine((r) => r["usb-enable"] !== undefined || r["data-access"] !== undefined, {
    error: "at least one of usb-enable and data-access is required",
    path: ["usb-enable"],
  });
export type PolicyUpdateRequest = z.infer<typeof PolicyUpdateRequest>;

/** `data` of the answer (or callback): the desktop's policy now, and when it applies. */
export const PolicyUpdateResult = z.object({
  task_id: TaskId,
  desktop_uuid: z.string(),
  "usb-enable": z.boolean(),
  "data-access": z.boolean(),
  note: z.string(),
  ...ApprovalEcho,
});
export type PolicyUpdateResult = z.infer<typeof PolicyUpdateResult>;

export const PolicyUpdateResponse = envelopeSchema(PolicyUpdateResult.partial(), "string");

/** The callback when the request carried `callback_url`. */
export const PolicyUpdateCallback = envelopeSchema(PolicyUpdateResult, "string");

import { z } from "zod";
import { envelopeSchema } from "./envelope.ts";
import { ApprovalEcho, TaskId } from "./fields.ts";

/**
 * Every failure callback: `{"data":{"task_id"},"message":"<reason>","status":"-1"}` (with the
 * request's `ticket_id` / `requester` when it carried them).
 */
export const FailureCallback = envelopeSchema(z.object({ task_id: TaskId, ...ApprovalEcho }), "string");
export type FailureCallback = z.infer<typeof FailureCallback>;

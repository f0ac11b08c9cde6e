import { z } from "zod";
import { envelopeSchema } from "./envelope.ts";
import { TaskId } from "./fields.ts";

/** Every failure callback: `{"data":{"task_id"},"message":"<reason>","status":"-1"}`. */
export const FailureCallback = envelopeSchema(z.object({ task_id: TaskId }), "string");
export type FailureCallback = z.infer<typeof FailureCallback>;

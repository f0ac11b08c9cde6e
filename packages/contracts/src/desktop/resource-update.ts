import { z } from "zod";
import { envelopeSchema } from "../envelope.ts";
import { ApprovalEcho, ApprovalFields, CallbackUrl, ResourceId, TaskId } from "../fields.ts";

const positiveInt = (unit: string) =>
  z
    .int({ error: `must be a whole number of ${unit}` })
    .positive({ error: `must be a positive number of ${unit}` })
    .max(Number.MAX_SAFE_INTEGER, { error: "is too large" });

/**
 * POST /api/desktop/resource-update — targets, not deltas; pass only what changes.
 * `volume_uuid` (an addition) picks the data disk to grow (SPEC 2.2).
 */
export const ResourceUpdateRequest = z
  .object({
    desktop_uuid: ResourceId,
    cpu: positiveInt("vCPUs").optional(),
    memory: positiveInt("bytes").optional(),
    disk: positiveInt("bytes").optional(),
    volume_uuid: ResourceId.optional(),
    callback_url: CallbackUrl,
    ...ApprovalFields,
  })
  .refine((r) => r.cpu !== undefined || r.memory !== undefined || r.disk !== undefined, {
    error: "at least one of cpu, memory and disk is required",
    path: ["cpu"],
  })
  .refine((r) => r.volume_uuid === undefined || r.disk !== undefined, {
    error: "volume_uuid needs disk (the target size in bytes)",
    path: ["volume_uuid"],
  });
export type ResourceUpdateRequest = z.infer<typeof ResourceUpdateRequest>;

/** The callback's `data` on success: what the desktop has now (sizes in bytes). */
export const ResourceUpdateResult = z.object({
  task_id: TaskId,
  desktop_uuid: z.string(),
  cpu: z.int().optional(),
  memory: z.int().optional(),
  volume_uuid: z.string().optional(),
  volume_size: z.int().optional(),
  note: z.string().optional(),
  ...ApprovalEcho,
});
export type ResourceUpdateResult = z.infer<typeof ResourceUpdateResult>;

export const ResourceUpdateCallback = envelopeSchema(ResourceUpdateResult, "string");

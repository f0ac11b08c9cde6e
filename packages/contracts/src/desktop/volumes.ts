import { z } from "zod";
import { envelopeSchema } from "../envelope.ts";

/** GET /api/desktop/{uuid}/volumes — sizes in bytes; status derived (SPEC 2.6, 4). */
export const VolumeStatus = z.enum(["creating", "attaching", "in-use", "extending", "error"]);
export const DesktopVolume = z.object({
  volume_uuid: z.string(),
  volume_name: z.string(),
  volume_size: z.int(),
  volume_status: VolumeStatus,
});
export type DesktopVolume = z.infer<typeof DesktopVolume>;

export const DesktopVolumesResponse = envelopeSchema(z.array(DesktopVolume), "number");

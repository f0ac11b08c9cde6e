import type { DesktopPlatform, PlatformLimits } from "../../port.ts";
import { GIB, permanent, seg, type WsCall } from "./client.ts";

type VolumeMethods = Pick<DesktopPlatform, "limits" | "addVolume" | "expandVolume">;

/** Data disks (§3): 10-32760 GB in steps of 10, at most 10 per desktop; sizes are GiB on the wire. */
export const WORKSPACE_LIMITS: PlatformLimits = Object.freeze({
  diskMinBytes: 10 * GIB,
  diskMaxBytes: 32760 * GIB,
  diskStepBytes: 10 * GIB,
  maxDataDisks: 10,
});

/** Bytes → GB, refusing sizes off the platform's grid (the caller rounds up; SPEC 4). */
function toGb(what: string, sizeBytes: number, limits: PlatformLimits): number {
  const { diskMinBytes: min, diskMaxBytes: max, diskStepBytes: step } = limits;
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes % step !== 0 || sizeBytes < min || sizeBytes > max) {
    throw permanent(
      `${what}: ${sizeBytes} bytes is not a disk size this platform accepts ` +
        `(${min / GIB}-${max / GIB} GB in steps of ${step / GIB} GB)`,
    );
  }
  return sizeBytes / GIB;
}

export function volumeMethods(call: WsCall, dataVolumeType: string): VolumeMethods {
  const limits = WORKSPACE_LIMITS;
  return {
    limits,

    async addVolume(desktopId, sizeBytes) {
      const size = toGb("add volume", sizeBytes, limits);
      const data = await call<{ job_id: string }>(
        "add volume",
        "POST",
        `/desktops/${seg(desktopId)}/volumes`,
        {
          volumes: [{ type: dataVolumeType, size }],
        },
      );
      return { jobId: data.job_id };
    },

    async expandVolume(desktopId, volumeId, sizeBytes) {
      const size = toGb("expand volume", sizeBytes, limits);
      const data = await call<{ job_id: string }>(
        "expand volume",
        "POST",
        `/desktops/${seg(desktopId)}/volumes/${seg(volumeId)}/expand`,
        { new_size: size },
      );
      return { jobId: data.job_id };
    },
  };
}

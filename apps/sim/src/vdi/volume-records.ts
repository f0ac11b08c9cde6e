import { hex32, uuid } from "../random.ts";
import type { VolumeRecord } from "../state.ts";

export interface DiskSpec {
  type: string;
  size: number;
}

/** `/dev/vdb` for the first data disk, and so on (`/dev/vda` is the system disk). */
export function deviceName(dataIndex: number): string {
  return `/dev/vd${String.fromCharCode("b".charCodeAt(0) + dataIndex)}`;
}

/** A VolumeDetail record: 32-hex `id`, UUID `volume_id` (the id expand uses). */
export function volumeRecord(spec: DiskSpec, device: string, displayName: string): VolumeRecord {
  return {
    id: hex32(),
    volume_id: uuid(),
    type: spec.type,
    size: spec.size,
    device,
    display_name: displayName,
    create_time: new Date(),
  };
}

import { and, eq, notInArray, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { volumes } from "../schema/platform.ts";

export type VolumeRow = typeof volumes.$inferSelect;

/** Insert or refresh one data disk of the mirror (sizes in bytes). */
export async function upsertVolume(
  db: Executor,
  volume: {
    volumeUuid: string;
    desktopUuid: string;
    volumeName: string;
    sizeBytes: number;
    status: string;
    createdByTask?: string | null;
  },
): Promise<void> {
  await db
    .insert(volumes)
    .values({ ...volume, createdByTask: volume.createdByTask ?? null })
    .onConflictDoUpdate({
      target: volumes.volumeUuid,
      set: {
        desktopUuid: volume.desktopUuid,
        volumeName: volume.volumeName,
        sizeBytes: volume.sizeBytes,
        status: volume.status,
        updatedAt: sql`now()`,
      },
    });
}

export async function listVolumesOfDesktop(db: Executor, desktopUuid: string): Promise<VolumeRow[]> {
  return db.select().from(volumes).where(eq(volumes.desktopUuid, desktopUuid)).orderBy(volumes.createdAt);
}

/** Remove the mirror's disks of a desktop that are not in `keep` (all of them when empty). */
export async function deleteVolumesExcept(db: Executor, desktopUuid: string, keep: string[]): Promise<void> {
  await db
    .delete(volumes)
    .where(
      keep.length
        ? and(eq(volumes.desktopUuid, desktopUuid), notInArray(volumes.volumeUuid, keep))
        : eq(volumes.desktopUuid, desktopUuid),
    );
}

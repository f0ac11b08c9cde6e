import {
  deleteDesktopRow,
  deleteUserRow,
  deleteVolumesExcept,
  inFlightObjectIds,
  listDesktopsOfUser,
  listKnownUsers,
  listVolumesOfDesktop,
  recordDrift,
  type TaskRow,
  updateDesktopMirror,
  upsertDesktop,
  upsertUser,
  upsertVolume,
} from "@deskgate/db";
import type { PlatformDesktop } from "@deskgate/upstream";
import type { WorkerDeps } from "../deps.ts";
import { runStep } from "../steps.ts";
import { writesOf } from "../writes.ts";
import type { TaskOutcome } from "./run-task.ts";

export interface ReconcileSummary {
  users: number;
  desktops: number;
  volumes: number;
  drift: number;
}

/**
 * platform.reconcile (SPEC 2.5–2.6): for every user deskgate knows, read the platform's user,
 * desktops and data disks and bring the mirror in step; whatever was made, removed or changed
 * outside deskgate is recorded in `drift`. Objects that an unfinished task is working on are
 * left alone (they are not drift, just not finished). Read-only upstream: safe to repeat.
 * Scheduled by pg-boss (`settings.reconcileCron`, default every 10 min); an operator may also
 * enqueue it with a task id to see its steps.
 */
export async function reconcile(deps: WorkerDeps): Promise<ReconcileSummary> {
  const { db } = deps.database;
  const busy = await inFlightObjectIds(db);
  const summary: ReconcileSummary = { users: 0, desktops: 0, volumes: 0, drift: 0 };
  const drift = async (entry: Parameters<typeof recordDrift>[1]) => {
    summary.drift++;
    await recordDrift(db, entry);
  };

  for (const user of await listKnownUsers(db)) {
    if (busy.has(user.username)) continue;
    summary.users++;
    const upstream = await deps.platform.findUser(user.username);
    const mirrored = await listDesktopsOfUser(db, user.username);
    if (!upstream) {
      await drift({
        objectKind: "user",
        objectId: user.username,
        change: "removed_outside",
        detail: { upstream_id: user.upstreamId },
      });
      for (const d of mirrored) {
        await drift({
          objectKind: "desktop",
          objectId: d.desktopUuid,
          change: "removed_outside",
          detail: { username: user.username, reason: "its user is gone" },
        });
        await deleteVolumesExcept(db, d.desktopUuid, []);
        await deleteDesktopRow(db, d.desktopUuid);
      }
      await deleteUserRow(db, user.username);
      continue;
    }
    if (upstream.id !== user.upstreamId) {
      await drift({
        objectKind: "user",
        objectId: user.username,
        change: "recreated_outside",
        detail: { was: user.upstreamId, now: upstream.id },
      });
      await upsertUser(db, {
        username: user.username,
        upstreamId: upstream.id,
        groupName: user.groupName,
        createdByTask: user.createdByTask,
      });
    }

    const platformDesktops = await deps.platform.listDesktops(user.username);
    const seen = new Set<string>();
    for (const d of platformDesktops) {
      if (busy.has(d.id) || busy.has(d.name) || d.state === "creating" || d.state === "deleting") {
        seen.add(d.id);
        continue;
      }
      seen.add(d.id);
      summary.desktops++;
      const known = mirrored.find((m) => m.desktopUuid === d.id);
      if (!known) {
        await drift({
          objectKind: "desktop",
          objectId: d.id,
          change: "created_outside",
          detail: { name: d.name, username: user.username },
        });
        await upsertDesktop(db, {
          desktopUuid: d.id,
          desktopName: d.name,
          username: user.username,
          os: "unknown",
          productId: d.productId,
          status: d.state,
          createdByTask: null,
        });
      } else if (known.productId !== null && d.productId !== null && known.productId !== d.productId) {
        await drift({
          objectKind: "desktop",
          objectId: d.id,
          change: "flavor_changed_outside",
          detail: { was: known.productId, now: d.productId },
        });
      }
      await updateDesktopMirror(db, d.id, {
        productId: d.productId,
        sid: d.sid,
        cpu: d.cpu,
        memoryBytes: d.memoryBytes,
        status: d.state,
      });
      summary.volumes += await reconcileVolumes(deps, d, drift);
    }
    for (const m of mirrored) {
      if (seen.has(m.desktopUuid) || busy.has(m.desktopUuid)) continue;
      const elsewhere = await deps.platform.getDesktop(m.desktopUuid);
      if (elsewhere?.userName && elsewhere.userName !== user.username) {
        await drift({
          objectKind: "desktop",
          objectId: m.desktopUuid,
          change: "reassigned_outside",
          detail: { was: user.username, now: elsewhere.userName },
        });
        await updateDesktopMirror(db, m.desktopUuid, { username: elsewhere.userName });
        continue;
      }
      if (elsewhere) continue; // not listed for the user but still there: leave it
      await drift({
        objectKind: "desktop",
        objectId: m.desktopUuid,
        change: "removed_outside",
        detail: { name: m.desktopName, username: user.username },
      });
      await deleteVolumesExcept(db, m.desktopUuid, []);
      await deleteDesktopRow(db, m.desktopUuid);
    }
  }
  return summary;
}

async function reconcileVolumes(
  deps: WorkerDeps,
  desktop: PlatformDesktop,
  drift: (entry: Parameters<typeof recordDrift>[1]) => Promise<void>,
): Promise<number> {
  const { db } = deps.database;
  const mirrored = await listVolumesOfDesktop(db, desktop.id);
  for (const v of desktop.volumes) {
    const known = mirrored.find((m) => m.volumeUuid === v.id);
    if (!known) {
      await drift({
        objectKind: "volume",
        objectId: v.id,
        change: "created_outside",
        detail: { desktop_uuid: desktop.id, size_bytes: v.sizeBytes },
      });
    } else if (known.sizeBytes !== v.sizeBytes) {
      await drift({
        objectKind: "volume",
        objectId: v.id,
        change: "resized_outside",
        detail: { was: known.sizeBytes, now: v.sizeBytes },
      });
    }
    await upsertVolume(db, {
      volumeUuid: v.id,
      desktopUuid: desktop.id,
      volumeName: v.name,
      sizeBytes: v.sizeBytes,
      status: "in-use",
    });
  }
  for (const m of mirrored) {
    if (!desktop.volumes.some((v) => v.id === m.volumeUuid)) {
      await drift({
        objectKind: "volume",
        objectId: m.volumeUuid,
        change: "removed_outside",
        detail: { desktop_uuid: desktop.id },
      });
    }
  }
  await deleteVolumesExcept(
    db,
    desktop.id,
    desktop.volumes.map((v) => v.id),
  );
  return desktop.volumes.length;
}

/** The task form (an operator asked for a reconcile with a task id): one recorded step. */
export async function runReconcileTask(deps: WorkerDeps, task: TaskRow): Promise<TaskOutcome> {
  const summary = await runStep(
    writesOf(deps),
    task.id,
    "reconcile",
    () => reconcile(deps),
    (s) => `${s.users} users, ${s.desktops} desktops, ${s.volumes} disks checked; ${s.drift} drift records`,
  );
  return { data: { ...summary } };
}

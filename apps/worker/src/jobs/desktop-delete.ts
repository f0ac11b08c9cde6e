import type { DesktopDeleteRequest, DesktopDeleteResult } from "@deskgate/contracts";
import {
  deleteDesktopRow,
  deleteUserRow,
  deleteVolumesExcept,
  getDesktopRow,
  type TaskRow,
} from "@deskgate/db";
import { UpstreamError } from "@deskgate/upstream";
import type { WorkerDeps } from "../deps.ts";
import { awaitPlatformJob } from "../platform-job.ts";
import { taskContext } from "../progress.ts";
import type { TaskOutcome } from "./run-task.ts";

/**
 * The resumable state of a delete. `found` is what the desktop was when the task first looked
 * (committed before the delete call leaves), so a re-run after a crash still knows its user and
 * data disks once the platform has forgotten them.
 */
export interface DesktopDeleteProgress {
  found?: { exists: boolean; username: string | null; volumeIds: string[] };
  /** The delete job (null: nothing was left to delete, or it was already being deleted). */
  deleteJobId?: string | null;
  desktopGone?: boolean;
  userDeleted?: boolean;
  userChecked?: boolean;
}

/**
 * desktop.delete: find the desktop, delete it with its data disks (BatchDeleteDesktops), wait
 * until the platform no longer has it, then, with `delete_user_if_last`, delete its user when
 * the user has no other desktop. Each step is safe to repeat: the batch delete skips desktops
 * already gone or being deleted, and deleting a gone user is done. A desktop the platform no
 * longer has succeeds as `already_gone`. deskgate's desktop, volume and user rows follow.
 */
export async function runDesktopDelete(deps: WorkerDeps, task: TaskRow): Promise<TaskOutcome> {
  const request = task.request as DesktopDeleteRequest;
  const desktopId = request.desktop_uuid;
  const { progress, save, step, writes } = taskContext<DesktopDeleteProgress>(deps, task);

  if (!progress.found) {
    await step(
      "find_desktop",
      async () => {
        const d = await deps.platform.getDesktop(desktopId);
        const row = await getDesktopRow(deps.database.db, desktopId);
        const found = {
          exists: d !== null && d.state !== "deleting",
          username: d?.userName ?? row?.username ?? null,
          volumeIds: d?.volumes.map((v) => v.id) ?? [],
        };
        await save({ found });
        return { ...found, deleting: d?.state === "deleting" };
      },
      (f) =>
        f.exists
          ? `desktop of ${f.username}, ${f.volumeIds.length} data disk(s)`
          : f.deleting
            ? "already being deleted"
            : "already gone",
    );
  }
  const found = progress.found!;

  if (!progress.desktopGone) {
    if (progress.deleteJobId === undefined) {
      await step(
        "delete_desktop",
        async () => {
          const { jobId } = await deps.platform.deleteDesktops([desktopId], {
            deleteUsers: request.delete_user_if_last === true,
          });
          await save({ deleteJobId: jobId });
          return jobId;
        },
        (jobId) => (jobId ? `platform job ${jobId}` : "nothing left to delete"),
      );
    }
    await step("wait_deleted", async () => {
      if (progress.deleteJobId) await awaitPlatformJob(deps, progress.deleteJobId, "deleting the desktop");
      await waitDesktopGone(deps, desktopId);
      await save({ desktopGone: true });
    });
  }

  if (request.delete_user_if_last && found.username && !progress.userChecked) {
    const username = found.username;
    await step(
      "delete_user_if_last",
      async () => {
        const others = await deps.platform.listDesktops(username);
        if (others.length > 0) {
          await save({ userChecked: true, userDeleted: false });
          return `kept: ${others.length} other desktop(s)`;
        }
        const user = await deps.platform.findUser(username);
        // the batch delete's delete_users may have removed the user already: deleted by this task
        if (user) await deps.platform.deleteUser(user.id);
        await save({ userChecked: true, userDeleted: true });
        return user ? `deleted user ${username}` : `user ${username} already gone`;
      },
      (detail) => detail,
    );
  }

  await writes.write(async (db) => {
    await deleteVolumesExcept(db, desktopId, []);
    await deleteDesktopRow(db, desktopId);
    if (progress.userDeleted && found.username) await deleteUserRow(db, found.username);
  });

  const data: Omit<DesktopDeleteResult, "task_id"> = {
    desktop_uuid: desktopId,
    username: found.username,
    already_gone: !found.exists,
    volume_uuids: found.volumeIds,
    user_deleted: progress.userDeleted === true,
    ...(found.exists ? {} : { note: "the platform no longer had this desktop: nothing was deleted there" }),
  };
  return { data };
}

/** A desktop being deleted reads "deleting" until the platform forgets it: wait for that. */
export async function waitDesktopGone(deps: WorkerDeps, desktopId: string): Promise<void> {
  const deadline = Date.now() + deps.settings.jobTimeoutMs;
  while ((await deps.platform.getDesktop(desktopId)) !== null) {
    if (Date.now() > deadline) {
      throw new UpstreamError({
        message: `desktop ${desktopId} is still being deleted`,
        transient: true,
        reason: "busy",
      });
    }
    await new Promise((r) => setTimeout(r, deps.settings.pollIntervalMs));
  }
}

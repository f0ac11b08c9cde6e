import type { OffboardRemoved, UserOffboardRequest, UserOffboardResult } from "@deskgate/contracts";
import {
  deleteDesktopRow,
  deleteUserRow,
  deleteVolumesExcept,
  hpcAccountsOfUser,
  listDesktopsOfUser,
  listOpenVncSessions,
  markVncSessionClosed,
  type TaskRow,
} from "@deskgate/db";
import { isUpstreamError } from "@deskgate/upstream";
import type { WorkerDeps } from "../deps.ts";
import { hpcAccess } from "../hpc-access.ts";
import { awaitPlatformJob } from "../platform-job.ts";
import { taskContext } from "../progress.ts";
import { waitDesktopGone } from "./desktop-delete.ts";
import type { TaskOutcome } from "./run-task.ts";

/** The platform deletes at most this many desktops in one batch call. */
const BATCH = 100;

export interface OffboardProgress {
  /** The platform user's id; null: the platform no longer had the user when the task began. */
  userId?: string | null;
  locked?: boolean;
  /** The user's desktops as found before any was deleted (committed before the first delete). */
  desktops?: { id: string; name: string | null; volumeIds: string[] }[];
  /** Per batch of `BATCH` desktops, its delete job (null: nothing left to delete in it). */
  deleteJobs?: (string | null)[];
  desktopsGone?: boolean;
  vncClosed?: { account: string; session_id: string }[];
  vncDone?: boolean;
  userDone?: boolean;
}

/**
 * user.offboard, one resumable task: find the user, lock them (no new sign-in while the rest
 * runs), delete every desktop of theirs with its data disks (BatchDeleteDesktops with
 * delete_users), close the HPC VNC sessions deskgate knows for them, delete the user. Each
 * step records what it did before the next one starts and is "already done"-safe, so a re-run
 * after a crash continues where the last one stopped. deskgate's rows follow.
 */
export async function runUserOffboard(deps: WorkerDeps, task: TaskRow): Promise<TaskOutcome> {
  const { username } = task.request as UserOffboardRequest;
  const { progress, save, step, writes } = taskContext<OffboardProgress>(deps, task);

  if (progress.userId === undefined) {
    await step(
      "find_user",
      async () => {
        const user = await deps.platform.findUser(username);
        await save({ userId: user?.id ?? null });
        return user;
      },
      (u) => (u ? `user ${u.name} (${u.id})` : "the platform no longer has the user"),
    );
  }

  if (progress.userId && !progress.locked) {
    const userId = progress.userId;
    await step(
      "lock_user",
      async () => {
        try {
          await deps.platform.lockUser(userId);
        } catch (e) {
          if (!(isUpstreamError(e) && e.reason === "not_found")) throw e;
          await save({ userId: null });
          return "the user was deleted meanwhile";
        }
        await save({ locked: true });
        return "locked";
      },
      (d) => d,
    );
  }

  if (!progress.desktops) {
    await step(
      "list_desktops",
      async () => {
        const onPlatform = await deps.platform.listDesktops(username);
        const desktops = onPlatform.map((d) => ({
          id: d.id,
          name: d.name,
          volumeIds: d.volumes.map((v) => v.id),
        }));
        await save({ desktops });
        return desktops;
      },
      (list) => `${list.length} desktop(s)`,
    );
  }
  const desktops = progress.desktops!;

  if (!progress.desktopsGone) {
    const ids = desktops.map((d) => d.id);
    for (let i = 0; i * BATCH < ids.length; i++) {
      if ((progress.deleteJobs ?? [])[i] !== undefined) continue;
      const batch = ids.slice(i * BATCH, (i + 1) * BATCH);
      await step(
        "delete_desktops",
        async () => {
          const { jobId } = await deps.platform.deleteDesktops(batch, { deleteUsers: true });
          const deleteJobs = [...(progress.deleteJobs ?? [])];
          deleteJobs[i] = jobId;
          await save({ deleteJobs });
          return jobId;
        },
        (jobId) =>
          `${batch.length} desktop(s), ${jobId ? `platform job ${jobId}` : "nothing left to delete"}`,
      );
    }
    await step("wait_deleted", async () => {
      for (const jobId of progress.deleteJobs ?? []) {
        if (jobId) await awaitPlatformJob(deps, jobId, "deleting the desktops");
      }
      for (const id of ids) await waitDesktopGone(deps, id);
      await save({ desktopsGone: true });
    });
  }

  if (!progress.vncDone) {
    await step(
      "close_vnc",
      async () => {
        const closed = [...(progress.vncClosed ?? [])];
        for (const account of await hpcAccountsOfUser(deps.database.db, username)) {
          const open = await listOpenVncSessions(deps.database.db, account.name);
          if (open.length === 0) continue;
          const hpc = await hpcAccess(deps, account.name);
          for (const s of open) {
            // closing a session already gone is success (SCNet 815010)
            await hpc.call((url, token) => deps.hpc.closeVnc(url, token, s.sessionId));
            await markVncSessionClosed(deps.database.db, account.name, s.sessionId);
            closed.push({ account: account.name, session_id: s.sessionId });
            await save({ vncClosed: closed });
          }
        }
        await save({ vncDone: true });
        return closed;
      },
      (closed) => `${closed.length} session(s) closed`,
    );
  }

  if (!progress.userDone) {
    await step(
      "delete_user",
      async () => {
        // the batch delete's delete_users removed the user with their last desktop, usually
        const user = await deps.platform.findUser(username);
        if (user) await deps.platform.deleteUser(user.id);
        await save({ userDone: true });
        return user ? `deleted user ${username}` : `user ${username} already gone`;
      },
      (d) => d,
    );
  }

  await writes.write(async (db) => {
    const known = await listDesktopsOfUser(db, username);
    for (const id of new Set([...desktops.map((d) => d.id), ...known.map((d) => d.desktopUuid)])) {
      await deleteVolumesExcept(db, id, []);
      await deleteDesktopRow(db, id);
    }
    await deleteUserRow(db, username);
  });

  const removed: OffboardRemoved = {
    desktops: desktops.map((d) => ({ desktop_uuid: d.id, desktop_name: d.name })),
    volumes: desktops.flatMap((d) => d.volumeIds.map((v) => ({ volume_uuid: v, desktop_uuid: d.id }))),
    vnc_sessions: progress.vncClosed ?? [],
    user: progress.userId !== null && progress.userId !== undefined,
  };
  const data: Omit<UserOffboardResult, "task_id"> = {
    username,
    removed,
    ...(removed.user ? {} : { note: "the platform no longer had this user" }),
  };
  return { data };
}

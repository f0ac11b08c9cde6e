import type { DesktopRebuildRequest, DesktopRebuildResult } from "@deskgate/contracts";
import { type TaskRow, updateDesktopMirror } from "@deskgate/db";
import type { WorkerDeps } from "../deps.ts";
import { TaskFailure } from "../failure.ts";
import { awaitPlatformJob, requireDesktop } from "../platform-job.ts";
import { taskContext } from "../progress.ts";
import type { TaskOutcome } from "./run-task.ts";

export interface DesktopRebuildProgress {
  /** The data disks before the rebuild: they must all be there after it. */
  volumeIdsBefore?: string[];
  /**
   * When the rebuild request left (committed before it does): a re-run with no `jobId` looks
   * for the job that request may have started before it asks again.
   */
  requestedAt?: string;
  /** The rebuild's platform job, committed the moment the call answers (a rebuild is not idempotent). */
  jobId?: string;
  done?: boolean;
}

/**
 * desktop.rebuild: reimage the system disk (BatchRebuildDesktopsSystemDisk) to `os`, or to the
 * image it runs. The time of the request is saved before it leaves and the job id the moment it
 * answers, so a re-run waits for that job (found again on the platform when the answer was
 * lost) instead of reimaging again. Afterwards the data disks are checked to be all there and
 * deskgate's desktop row takes the new os.
 */
/** How far the platform's job clock may be behind ours (its times have whole seconds). */
const CLOCK_SKEW_MS = 120_000;

export async function runDesktopRebuild(deps: WorkerDeps, task: TaskRow): Promise<TaskOutcome> {
  const request = task.request as DesktopRebuildRequest;
  const desktopId = request.desktop_uuid;
  const { progress, save, step, writes } = taskContext<DesktopRebuildProgress>(deps, task);

  if (!progress.jobId) {
    await step(
      "rebuild",
      async () => {
        const d = await requireDesktop(deps, desktopId);
        if (!progress.volumeIdsBefore) await save({ volumeIdsBefore: d.volumes.map((v) => v.id) });
        if (progress.requestedAt) {
          // The last run asked and never heard back (killed, or the answer timed out).
          const since = new Date(Date.parse(progress.requestedAt) - CLOCK_SKEW_MS);
          const found = await deps.platform.findRebuildJob(desktopId, since);
          if (found) {
            await save({ jobId: found });
            return found;
          }
        }
        await save({ requestedAt: new Date().toISOString() });
        const { jobId } = await deps.platform.rebuildDesktop(desktopId, request.os ? { os: request.os } : {});
        await save({ jobId });
        return jobId;
      },
      (jobId) => `reimaging${request.os ? ` to ${request.os}` : ""}, platform job ${jobId}`,
    );
  }
  if (!progress.done) {
    await step("wait_rebuild", async () => {
      await awaitPlatformJob(deps, progress.jobId!, "the rebuild");
      await save({ done: true });
    });
  }
  const desktop = await step(
    "check_desktop",
    async () => {
      const d = await requireDesktop(deps, desktopId);
      const now = new Set(d.volumes.map((v) => v.id));
      const lost = (progress.volumeIdsBefore ?? []).filter((id) => !now.has(id));
      if (lost.length) throw new TaskFailure(`data disks missing after the rebuild: ${lost.join(", ")}`);
      return d;
    },
    (d) => `os ${d.os ?? "unknown"}, ${d.volumes.length} data disk(s) kept`,
  );
  const os = desktop.os ?? request.os ?? null;
  if (os) await writes.write((db) => updateDesktopMirror(db, desktopId, { os, sid: desktop.sid }));
  const data: Omit<DesktopRebuildResult, "task_id"> = {
    desktop_uuid: desktopId,
    os,
    volume_uuids: desktop.volumes.map((v) => v.id),
    note: "the system disk was reimaged; data disks were kept",
  };
  return { data };
}

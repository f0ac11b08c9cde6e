import type { DesktopPowerRequest, DesktopPowerResult } from "@deskgate/contracts";
import type { TaskRow } from "@deskgate/db";
import { type PowerState, UpstreamError } from "@deskgate/upstream";
import type { WorkerDeps } from "../deps.ts";
import { awaitPlatformJob, requireDesktop } from "../platform-job.ts";
import { taskContext } from "../progress.ts";
import type { TaskOutcome } from "./run-task.ts";

export interface DesktopPowerProgress {
  /** Set just before the power call leaves. */
  requested?: boolean;
  /** The platform job (null: nothing to wait for — already in that state, or no job given). */
  jobId?: string | null;
  done?: boolean;
}

/**
 * desktop.power: start / stop / reboot (SOFT or HARD) through BatchRunDesktops, wait for the
 * job, then read the desktop's power state. start and stop are idempotent by target (the
 * adapter does nothing when the desktop is already there), so a re-run repeats them safely. A
 * reboot whose call left but whose job id a crash lost is sent again: the desktop reboots
 * twice, which ends in the same state (documented in docs/design.md).
 */
export async function runDesktopPower(deps: WorkerDeps, task: TaskRow): Promise<TaskOutcome> {
  const request = task.request as DesktopPowerRequest;
  const desktopId = request.desktop_uuid;
  const mode = request.type === "hard" ? "HARD" : "SOFT";
  const { progress, save, step } = taskContext<DesktopPowerProgress>(deps, task);

  if (progress.jobId === undefined) {
    await step(
      "power",
      async () => {
        await requireDesktop(deps, desktopId);
        await save({ requested: true });
        const { jobId } = await deps.platform.powerDesktop(desktopId, request.action, mode);
        await save({ jobId });
        return jobId;
      },
      (jobId) => `${request.action} (${mode}) ${jobId ? `platform job ${jobId}` : "already done, no job"}`,
    );
  }
  if (!progress.done) {
    await step("wait_power", async () => {
      if (progress.jobId) await awaitPlatformJob(deps, progress.jobId, `the ${request.action}`);
      else await awaitPower(deps, desktopId, request.action === "stop" ? "off" : "on");
      await save({ done: true });
    });
  }
  const desktop = await requireDesktop(deps, desktopId);
  const data: Omit<DesktopPowerResult, "task_id"> = {
    desktop_uuid: desktopId,
    action: request.action,
    type: request.type ?? "soft",
    power: desktop.power,
  };
  return { data };
}

/** Without a job (the platform took the action, or it was already done): watch the power state. */
async function awaitPower(deps: WorkerDeps, desktopId: string, wanted: PowerState): Promise<void> {
  const deadline = Date.now() + deps.settings.jobTimeoutMs;
  for (;;) {
    const d = await requireDesktop(deps, desktopId);
    if (d.power === wanted) return;
    if (Date.now() > deadline) {
      throw new UpstreamError({
        message: `desktop ${desktopId} is still ${d.power}, waiting for ${wanted}`,
        transient: true,
        reason: "busy",
      });
    }
    await new Promise((r) => setTimeout(r, deps.settings.pollIntervalMs));
  }
}

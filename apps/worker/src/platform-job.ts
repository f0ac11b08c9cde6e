import { awaitJob, type JobStatus, type PlatformDesktop } from "@deskgate/upstream";
import type { WorkerDeps } from "./deps.ts";
import { notFound, TaskFailure } from "./failure.ts";

/**
 * Thrown inside a task run to end the run while its platform job works: the run records the
 * wait (task_waits), gives its slot back, and the wait watcher resumes the task when the job
 * is no longer pending. Never an error: it does not end the step nor the task.
 */
export class Park {
  readonly platformJobId: string;
  /** When to look first (default: the poll interval). */
  readonly checkAfterMs: number | undefined;
  constructor(platformJobId: string, checkAfterMs?: number) {
    this.platformJobId = platformJobId;
    this.checkAfterMs = checkAfterMs;
  }
}

/** A task run's view of its wait: when it first waited for which platform job. */
export interface ParkContext {
  platformJobId: string | null;
  since: Date | null;
}

type FinalStatus = Exclude<JobStatus, { state: "running" }>;

/**
 * The platform job's final status. In a task run that may park (`deps.parking`), the task
 * parks at the first wait on a job, and after that each resume looks once (`getJob`): still
 * pending → parks again; the job timeout counts from the first park on that job. Elsewhere,
 * poll in place.
 */
export async function platformJobResult(deps: WorkerDeps, jobId: string): Promise<FinalStatus> {
  const { pollIntervalMs: intervalMs, jobTimeoutMs: timeoutMs } = deps.settings;
  if (!deps.parking) return awaitJob(deps.platform, jobId, { intervalMs, timeoutMs });
  // Not parked on this job yet (it was just started): park at once, the watcher's batched
  // check looks first — one call per job saved on a platform that counts them.
  if (deps.parking.platformJobId !== jobId) throw new Park(jobId);
  const status = await deps.platform.getJob(jobId);
  if (status.state !== "running") return status;
  const since = deps.parking.since;
  if (since && Date.now() - since.getTime() >= timeoutMs) {
    return {
      state: "failed",
      code: null,
      reason: `platform job ${jobId} did not finish within ${timeoutMs} ms`,
    };
  }
  throw new Park(jobId);
}

/** Wait for a platform job to end; a failed job fails the task with the platform's reason. */
export async function awaitPlatformJob(deps: WorkerDeps, jobId: string, what: string): Promise<void> {
  const status = await platformJobResult(deps, jobId);
  if (status.state === "failed") {
    throw new TaskFailure(
      `${what} failed on the platform: ${status.reason}${status.code ? ` (${status.code})` : ""}`,
    );
  }
}

/** The desktop, or a task failure naming it when the platform does not know it. */
export async function requireDesktop(deps: WorkerDeps, desktopId: string): Promise<PlatformDesktop> {
  const desktop = await deps.platform.getDesktop(desktopId);
  if (!desktop) throw notFound(`desktop ${desktopId} does not exist on the platform`);
  return desktop;
}

/** Bytes as the caller reads them best: whole GiB when exact. */
export function showBytes(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return Number.isInteger(gib) ? `${gib} GiB (${bytes} bytes)` : `${bytes} bytes`;
}

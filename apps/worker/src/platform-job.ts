import { awaitJob, type PlatformDesktop } from "@deskgate/upstream";
import type { WorkerDeps } from "./deps.ts";
import { TaskFailure } from "./failure.ts";

/** Poll a platform job to its end; a failed job fails the task with the platform's reason. */
export async function awaitPlatformJob(deps: WorkerDeps, jobId: string, what: string): Promise<void> {
  const status = await awaitJob(deps.platform, jobId, {
    intervalMs: deps.settings.pollIntervalMs,
    timeoutMs: deps.settings.jobTimeoutMs,
  });
  if (status.state === "failed") {
    throw new TaskFailure(
      `${what} failed on the platform: ${status.reason}${status.code ? ` (${status.code})` : ""}`,
    );
  }
}

/** The desktop, or a task failure naming it when the platform does not know it. */
export async function requireDesktop(deps: WorkerDeps, desktopId: string): Promise<PlatformDesktop> {
  const desktop = await deps.platform.getDesktop(desktopId);
  if (!desktop) throw new TaskFailure(`desktop ${desktopId} does not exist on the platform`);
  return desktop;
}

/** Bytes as the caller reads them best: whole GiB when exact. */
export function showBytes(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return Number.isInteger(gib) ? `${gib} GiB (${bytes} bytes)` : `${bytes} bytes`;
}

import type { DesktopPlatform, JobStatus } from "./port.ts";
import { defaultSleep } from "./retry.ts";

/**
 * Poll a platform job until it ends, at a fixed interval (as the vendor recommends), within
 * a time bound. Returns the final status; a job still running at the bound is a failure.
 */
export async function awaitJob(
  platform: DesktopPlatform,
  jobId: string,
  opts: {
    intervalMs: number;
    timeoutMs: number;
    signal?: AbortSignal;
    sleep?: (ms: number) => Promise<void>;
  },
): Promise<Exclude<JobStatus, { state: "running" }>> {
  const sleep = opts.sleep ?? defaultSleep;
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    opts.signal?.throwIfAborted();
    const status = await platform.getJob(jobId);
    if (status.state !== "running") return status;
    if (Date.now() >= deadline) {
      return {
        state: "failed",
        code: null,
        reason: `platform job ${jobId} did not finish within ${opts.timeoutMs} ms`,
      };
    }
    await sleep(opts.intervalMs);
  }
}

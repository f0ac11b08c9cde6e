import type { JobStatus } from "../../port.ts";
import type { WsJob } from "./types.ts";

/**
 * UPSTREAM-VDI §1.4: success = SUCCESS (or COMPLETE with every sub-job SUCCESS); failure = FAIL
 * or FAILED, or a terminal parent with a sub-job not SUCCESS; anything else is pending. The new
 * desktop's id comes from `sub_jobs[].entities.desktop_id`.
 */
export function jobStatus(job: WsJob): JobStatus {
  const status = (job.status ?? "").toUpperCase();
  const subs = job.sub_jobs ?? [];
  const failedSub = subs.find((s) => (s.status ?? "").toUpperCase() !== "SUCCESS");
  const desktopId = subs.find((s) => s.entities?.desktop_id)?.entities?.desktop_id ?? null;
  if (status === "SUCCESS" || (status === "COMPLETE" && !failedSub)) return { state: "succeeded", desktopId };
  if (status === "FAIL" || status === "FAILED" || status === "COMPLETE") {
    const sub = subs.find((s) => ["FAIL", "FAILED"].includes((s.status ?? "").toUpperCase())) ?? failedSub;
    return {
      state: "failed",
      code: job.job_error_code || sub?.error_code || null,
      reason: job.fail_reason || sub?.fail_reason || `platform job ${job.id} ended ${status}`,
    };
  }
  return { state: "running" };
}

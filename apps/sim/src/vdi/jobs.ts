import { phaseMs, type SimContext } from "../context.ts";
import { uuid } from "../random.ts";
import type { DesktopRecord, JobRecord, SubJobRecord } from "../state.ts";

/** One desktop's share of a job: the desktop is held busy from accept to the end. */
export interface SubJobPlan {
  desktop: DesktopRecord;
  /** Product shown in `entities.product_id` (the target of a resize); defaults to the desktop's. */
  productId?: string;
  /** Decided when the job is accepted, so a seed always fails the same sub-jobs. */
  fail: { code: string; reason: string } | null;
  onRunning?(sub: SubJobRecord): void;
  onSuccess(sub: SubJobRecord): void;
  onFailure?(sub: SubJobRecord): void;
}

/**
 * Starts an async Workspace job: parent WAITING → RUNNING → SUCCESS | FAIL, one sub-job per plan
 * going WAITING → RUNNING → SUCCESS | FAILED, one job phase apart (UPSTREAM-VDI 1.4, 8.3).
 */
export function startJob(ctx: SimContext, jobType: string, plans: SubJobPlan[]): JobRecord {
  const now = new Date();
  const job: JobRecord = {
    id: uuid(),
    job_type: jobType,
    status: "WAITING",
    job_error_code: "",
    fail_reason: "",
    begin_time: now,
    end_time: null,
    sub_jobs: [],
  };
  for (const plan of plans) {
    const d = plan.desktop;
    d.busy = { job_id: job.id, job_type: jobType };
    job.sub_jobs.push({
      id: uuid(),
      job_id: job.id,
      job_type: jobType,
      status: "WAITING",
      process: 0,
      error_code: "",
      fail_reason: "",
      entities: {
        desktop_id: d.desktop_id,
        product_id: plan.productId ?? d.product_id,
        user_name: d.user_name,
      },
      desktop_name: d.computer_name,
      ip_address: "",
      begin_time: now,
      end_time: null,
    });
  }
  ctx.state.jobs.set(job.id, job);
  ctx.scheduler.after(phaseMs(ctx), () => {
    job.status = "RUNNING";
    plans.forEach((plan, i) => {
      const sub = job.sub_jobs[i]!;
      sub.status = "RUNNING";
      sub.process = 50;
      plan.onRunning?.(sub);
    });
    ctx.scheduler.after(phaseMs(ctx), () => finish(job, plans));
  });
  return job;
}

function finish(job: JobRecord, plans: SubJobPlan[]): void {
  const end = new Date();
  plans.forEach((plan, i) => {
    const sub = job.sub_jobs[i]!;
    sub.end_time = end;
    sub.process = 100;
    plan.desktop.busy = null;
    if (plan.fail) {
      sub.status = "FAILED";
      sub.error_code = plan.fail.code;
      sub.fail_reason = plan.fail.reason;
      plan.onFailure?.(sub);
    } else {
      sub.status = "SUCCESS";
      plan.onSuccess(sub);
    }
  });
  const failed = job.sub_jobs.find((s) => s.status === "FAILED");
  job.status = failed ? "FAIL" : "SUCCESS";
  job.job_error_code = failed?.error_code ?? "";
  job.fail_reason = failed?.fail_reason ?? "";
  job.end_time = end;
}

import type { SimContext } from "../context.ts";
import { badRequest, VDI, vdiError } from "../errors.ts";
import { oneOf, paginate, readBody, readPage, reqString } from "../http.ts";
import type { RouteDef } from "../routes.ts";
import type { JobRecord } from "../state.ts";
import { createPlan } from "./desktop-create.ts";
import { startJob } from "./jobs.ts";
import { jobView, subJobView } from "./views.ts";

function findJob(ctx: SimContext, jobId: string): JobRecord {
  const job = ctx.state.jobs.get(jobId);
  if (!job) throw vdiError(404, VDI.jobNotFound, `The job does not exist: ${jobId}.`);
  return job;
}

/** ShowJob, ListItaSubJobs and the retry action. */
export function jobRoutes(ctx: SimContext): RouteDef[] {
  return [
    {
      method: "GET",
      path: "/workspace-jobs/:job_id",
      handler: (c) => c.json(jobView(findJob(ctx, c.req.param("job_id")!))),
    },
    {
      method: "GET",
      path: "/workspace-sub-jobs",
      handler: (c) => {
        const { job_id: jobId, status, job_type: jobType } = c.req.query();
        if (status) oneOf(status, ["SUCCESS", "RUNNING", "FAILED", "WAITING"] as const, "status");
        const subs = [...ctx.state.jobs.values()]
          .filter((j) => !jobId || j.id === jobId)
          .flatMap((j) => j.sub_jobs)
          .filter((s) => (!status || s.status === status) && (!jobType || s.job_type === jobType));
        const page = readPage(c, 1000, 1000);
        return c.json({ total_count: subs.length, jobs: paginate(subs, page).map(subJobView) });
      },
    },
    {
      method: "POST",
      path: "/workspace-jobs/:job_id/actions",
      handler: async (c) => {
        const job = findJob(ctx, c.req.param("job_id")!);
        oneOf(reqString(await readBody(c), "op_type"), ["retry"] as const, "op_type");
        return c.json({ job_id: retry(ctx, job).id });
      },
    },
  ];
}

/** Re-runs the failed sub-jobs of a failed `createDesktops` job on their ERROR desktops. */
function retry(ctx: SimContext, job: JobRecord): JobRecord {
  if (job.status !== "FAIL" || job.job_type !== "createDesktops") {
    throw badRequest(
      `Only a failed createDesktops job can be retried; job ${job.id} is ${job.job_type} ${job.status}.`,
    );
  }
  const desktops = job.sub_jobs
    .filter((s) => s.status === "FAILED")
    .map((s) => ctx.state.desktops.get(s.entities.desktop_id))
    .filter((d) => d !== undefined && d.status === "ERROR" && !d.busy);
  if (desktops.length === 0) throw badRequest(`Job ${job.id} has no failed desktop left to retry.`);
  for (const d of desktops) {
    d!.status = "";
    d!.task_status = "scheduling";
    d!.attach_state = "ATTACHING";
  }
  return startJob(
    ctx,
    "createDesktops",
    desktops.map((d) => createPlan(ctx, d!)),
  );
}

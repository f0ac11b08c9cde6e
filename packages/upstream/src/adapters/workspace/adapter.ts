import type { DesktopPlatform } from "../../port.ts";
import { createWsClient, seg } from "./client.ts";
import { desktopMethods } from "./desktops.ts";
import { flavorMethods } from "./flavors.ts";
import { jobStatus } from "./jobs.ts";
import { lifecycleMethods } from "./lifecycle.ts";
import type { WorkspaceOptions } from "./options.ts";
import { policyMethods } from "./policies.ts";
import { powerMethods } from "./power.ts";
import { quotaMethods } from "./quotas.ts";
import { tagMethods } from "./tags.ts";
import type { WsJob, WsSubJob } from "./types.ts";

/** ListItaSubJobs page size (its maximum). */
const SUB_JOB_PAGE = 1000;

import { userMethods } from "./users.ts";
import { volumeMethods } from "./volumes.ts";

export type WorkspacePlatform = DesktopPlatform & {
  /** Closes the adapter's connection pool. */
  close(): Promise<void>;
};

/**
 * DesktopPlatform over Huawei Cloud Workspace API v2 (and the bundled simulator, which
 * follows it). Only configuration changes between the two.
 */
export function createWorkspacePlatform(opts: WorkspaceOptions): WorkspacePlatform {
  const client = createWsClient(opts);
  const { call } = client;
  const canSetPassword = opts.canSetPassword ?? false;
  const desktops = desktopMethods(call, opts);
  const flavors = flavorMethods(call);
  return {
    name: "workspace",
    capabilities: { canSetPassword, tags: true },
    ...userMethods(call, canSetPassword),
    ...desktops,
    ...lifecycleMethods(call, opts, desktops.getDesktop),
    ...powerMethods(call, desktops.getDesktop),
    ...tagMethods(call),
    ...flavors,
    ...quotaMethods(call, opts, flavors.flavors),
    ...volumeMethods(call, opts.dataVolumeType ?? "SAS"),
    ...policyMethods(call, opts.policyGroupPriority ?? 1),

    async getJob(jobId) {
      return jobStatus(await call<WsJob>("get job", "GET", `/workspace-jobs/${seg(jobId)}`));
    },

    async pendingJobs(jobIds) {
      const wanted = new Set(jobIds);
      const pending = new Set<string>();
      if (wanted.size === 0) return pending;
      // ListItaSubJobs by status, 1000 a page: a job with a sub-job waiting or running is pending.
      for (const status of ["RUNNING", "WAITING"]) {
        for (let offset = 0; ; offset += SUB_JOB_PAGE) {
          const page = await call<{ total_count?: number; jobs?: WsSubJob[] }>(
            "list pending jobs",
            "GET",
            `/workspace-sub-jobs?status=${status}&limit=${SUB_JOB_PAGE}&offset=${offset}`,
          );
          const jobs = page.jobs ?? [];
          for (const j of jobs) if (j.job_id && wanted.has(j.job_id)) pending.add(j.job_id);
          if (jobs.length < SUB_JOB_PAGE || offset + SUB_JOB_PAGE >= (page.total_count ?? 0)) break;
        }
      }
      return pending;
    },

    close: () => client.close(),
  };
}

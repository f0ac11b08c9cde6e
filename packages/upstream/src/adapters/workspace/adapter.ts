import type { DesktopPlatform } from "../../port.ts";
import { createWsClient, seg } from "./client.ts";
import { desktopMethods } from "./desktops.ts";
import { flavorMethods } from "./flavors.ts";
import { jobStatus } from "./jobs.ts";
import { lifecycleMethods } from "./lifecycle.ts";
import type { WorkspaceOptions } from "./options.ts";
import { policyMethods } from "./policies.ts";
import { powerMethods } from "./power.ts";
import { tagMethods } from "./tags.ts";
import type { WsJob } from "./types.ts";
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
  return {
    name: "workspace",
    capabilities: { canSetPassword, tags: true },
    ...userMethods(call, canSetPassword),
    ...desktops,
    ...lifecycleMethods(call, opts, desktops.getDesktop),
    ...powerMethods(call, desktops.getDesktop),
    ...tagMethods(call),
    ...flavorMethods(call),
    ...volumeMethods(call, opts.dataVolumeType ?? "SAS"),
    ...policyMethods(call, opts.policyGroupPriority ?? 1),

    async getJob(jobId) {
      return jobStatus(await call<WsJob>("get job", "GET", `/workspace-jobs/${seg(jobId)}`));
    },

    close: () => client.close(),
  };
}

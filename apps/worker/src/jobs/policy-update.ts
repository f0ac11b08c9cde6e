import type { PolicyUpdateRequest, PolicyUpdateResult } from "@deskgate/contracts";
import { type TaskRow, updateDesktopMirror } from "@deskgate/db";
import type { WorkerDeps } from "../deps.ts";
import { requireDesktop } from "../platform-job.ts";
import { taskContext } from "../progress.ts";
import type { TaskOutcome } from "./run-task.ts";

export const POLICY_NOTE = "the new policy takes effect at the next connection to the desktop";

/**
 * desktop.policy_update (SPEC 2.3): read the desktop's current policy, set the merged target
 * (an omitted flag keeps its value), store it in the mirror. Setting a policy is idempotent
 * (the adapter moves the desktop between fixed policy groups), so a re-run simply repeats it.
 */
export async function runPolicyUpdate(deps: WorkerDeps, task: TaskRow): Promise<TaskOutcome> {
  const request = task.request as PolicyUpdateRequest;
  const { step } = taskContext<object>(deps, task);
  const desktop = await requireDesktop(deps, request.desktop_uuid);
  const target = await step(
    "set_policy",
    async () => {
      const current = await deps.platform.getPolicy(desktop);
      const wanted = {
        usbEnable: request["usb-enable"] ?? current.usbEnable,
        dataAccess: request["data-access"] ?? current.dataAccess,
      };
      const changed = wanted.usbEnable !== current.usbEnable || wanted.dataAccess !== current.dataAccess;
      if (changed) await deps.platform.setPolicy(desktop, wanted);
      return { ...wanted, changed };
    },
    (p) =>
      `usb ${p.usbEnable ? "on" : "off"}, data transfer ${p.dataAccess ? "on" : "off"}${p.changed ? "" : " (unchanged)"}`,
  );
  await updateDesktopMirror(deps.database.db, desktop.id, {
    usbEnable: target.usbEnable,
    dataAccess: target.dataAccess,
    sid: desktop.sid,
  });
  const data: Omit<PolicyUpdateResult, "task_id"> = {
    desktop_uuid: desktop.id,
    "usb-enable": target.usbEnable,
    "data-access": target.dataAccess,
    note: POLICY_NOTE,
  };
  return { data };
}

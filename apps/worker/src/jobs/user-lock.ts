import type { UserLockRequest, UserLockResult } from "@deskgate/contracts";
import type { TaskRow } from "@deskgate/db";
import type { WorkerDeps } from "../deps.ts";
import { notFound } from "../failure.ts";
import { taskContext } from "../progress.ts";
import type { TaskOutcome } from "./run-task.ts";

/**
 * user.lock / user.unlock: look the user up on the platform, then lock (or unlock) them.
 * Both are idempotent on the platform (locking a locked user is fine), so a re-run repeats
 * the call. An unknown user fails the task: there is nobody to lock.
 */
export function runUserLock(locked: boolean) {
  return async (deps: WorkerDeps, task: TaskRow): Promise<TaskOutcome> => {
    const request = task.request as UserLockRequest;
    const { step } = taskContext<object>(deps, task);
    const user = await step(
      "find_user",
      async () => {
        const found = await deps.platform.findUser(request.username);
        if (!found) throw notFound(`user ${request.username} does not exist on the platform`);
        return found;
      },
      (u) => `user ${u.name} (${u.id})${u.locked ? ", locked" : ""}`,
    );
    await step(locked ? "lock_user" : "unlock_user", async () => {
      if (locked) await deps.platform.lockUser(user.id);
      else await deps.platform.unlockUser(user.id);
    });
    const data: Omit<UserLockResult, "task_id"> = {
      username: request.username,
      locked,
      note: locked ? "the user can no longer sign in to any desktop" : "the user can sign in again",
    };
    return { data };
  };
}

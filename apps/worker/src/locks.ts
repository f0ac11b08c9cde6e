import { acquireLock, lockWaitId, type TaskRow } from "@deskgate/db";
import type { WorkerDeps } from "./deps.ts";
import { Park } from "./platform-job.ts";

/** A task parked on a held resource looks again after this even if no release woke it. */
const LOCK_RECHECK_MS = 60_000;

/** What a task changes and so must hold alone: the desktop its request names. */
export function resourceOf(task: TaskRow): string | null {
  const desktop = (task.request as { desktop_uuid?: unknown }).desktop_uuid;
  return typeof desktop === "string" ? `desktop:${desktop}` : null;
}

/**
 * One task at a time changes a desktop (issue 17.5): take its lock, or park until the task
 * holding it ends (the release makes the wait due at once). The lock is released in the
 * transaction that ends the task.
 */
export async function holdResource(deps: WorkerDeps, task: TaskRow): Promise<void> {
  const resource = resourceOf(task);
  if (!resource) return;
  const held = await deps.writes!.now((db) => acquireLock(db, resource, task.id));
  if (!held) throw new Park(lockWaitId(resource), LOCK_RECHECK_MS);
}

import { saveProgress, type TaskRow } from "@deskgate/db";
import type { WorkerDeps } from "./deps.ts";
import { runStep } from "./steps.ts";

/**
 * A task's resumable state and step recorder. `save` commits a patch before the next upstream
 * step, so a re-run after a crash reads what the last run did and continues from there.
 */
export function taskContext<P extends object>(deps: WorkerDeps, task: TaskRow) {
  const { db } = deps.database;
  const progress = task.progress as P;
  return {
    progress,
    save: async (patch: Partial<P>) => {
      Object.assign(progress, patch);
      await saveProgress(db, task.id, patch as Record<string, unknown>);
    },
    step: <T>(name: string, fn: () => Promise<T>, describe?: (v: T) => string | undefined) =>
      runStep(db, task.id, name, fn, describe),
  };
}

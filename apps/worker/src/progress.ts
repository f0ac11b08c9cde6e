import { saveProgress, type TaskRow } from "@deskgate/db";
import type { WorkerDeps } from "./deps.ts";
import { runStep } from "./steps.ts";
import { writesOf } from "./writes.ts";

/**
 * A task's resumable state and step recorder. `save` records a patch that is committed before
 * the next upstream call, so a re-run after a crash reads what the last run did and continues
 * from there.
 */
export function taskContext<P extends object>(deps: WorkerDeps, task: TaskRow) {
  const writes = writesOf(deps);
  const progress = task.progress as P;
  return {
    progress,
    save: async (patch: Partial<P>) => {
      Object.assign(progress, patch);
      await writes.write((db) => saveProgress(db, task.id, patch as Record<string, unknown>));
    },
    step: <T>(name: string, fn: () => Promise<T>, describe?: (v: T) => string | undefined) =>
      runStep(writes, task.id, name, fn, describe),
    writes,
  };
}

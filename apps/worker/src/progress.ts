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
  // Saves held back together become one UPDATE: a later save joins the patch of one not yet
  // written (the progress is one jsonb merge, so their order against the step rows is moot).
  let unwritten: Record<string, unknown> | null = null;
  return {
    progress,
    save: async (patch: Partial<P>) => {
      Object.assign(progress, patch);
      if (unwritten) {
        Object.assign(unwritten, patch);
        return;
      }
      const merged: Record<string, unknown> = { ...patch };
      unwritten = merged;
      await writes.write((db) => {
        if (unwritten === merged) unwritten = null;
        return saveProgress(db, task.id, merged);
      });
    },
    step: <T>(name: string, fn: () => Promise<T>, describe?: (v: T) => string | undefined) =>
      runStep(writes, task.id, name, fn, describe),
    writes,
  };
}

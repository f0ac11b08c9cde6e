import { beginStep, endStep, markStepWaiting } from "@deskgate/db";
import { isUpstreamError } from "@deskgate/upstream";
import { Park } from "./platform-job.ts";
import type { TaskWrites } from "./writes.ts";

/**
 * Run one named step of a task and record it (start, end, outcome, upstream request id).
 * The step's function may return a short detail for the record. A step whose task parks
 * stays open, and the resumed run carries on with the same record. The records go through
 * `writes` (held back until the next upstream call during a task run).
 */
export async function runStep<T>(
  writes: TaskWrites,
  taskId: string,
  name: string,
  fn: () => Promise<T>,
  describe?: (value: T) => string | undefined,
): Promise<T> {
  let stepId = 0;
  await writes.write(async (db) => {
    stepId = await beginStep(db, taskId, name);
  });
  try {
    const value = await fn();
    await writes.write((db) => endStep(db, stepId, "ok", { detail: describe?.(value) }));
    return value;
  } catch (e) {
    if (e instanceof Park) {
      // the step goes on, in the same row, when the task resumes
      const detail = `platform job ${e.platformJobId} is running; the task is parked until it ends`;
      await writes.write((db) => markStepWaiting(db, stepId, detail));
      throw e;
    }
    const upstreamRequestId = isUpstreamError(e) ? (e.requestId ?? undefined) : undefined;
    await writes.write((db) =>
      endStep(db, stepId, "failed", {
        detail: e instanceof Error ? e.message : String(e),
        upstreamRequestId,
      }),
    );
    throw e;
  }
}

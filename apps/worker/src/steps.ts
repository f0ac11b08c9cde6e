import { beginStep, type Executor, endStep } from "@deskgate/db";
import { isUpstreamError } from "@deskgate/upstream";

/**
 * Run one named step of a task and record it (start, end, outcome, upstream request id).
 * The step's function may return a short detail for the record.
 */
export async function runStep<T>(
  db: Executor,
  taskId: string,
  name: string,
  fn: () => Promise<T>,
  describe?: (value: T) => string | undefined,
): Promise<T> {
  const stepId = await beginStep(db, taskId, name);
  try {
    const value = await fn();
    await endStep(db, stepId, "ok", { detail: describe?.(value) });
    return value;
  } catch (e) {
    const upstreamRequestId = isUpstreamError(e) ? (e.requestId ?? undefined) : undefined;
    await endStep(db, stepId, "failed", {
      detail: e instanceof Error ? e.message : String(e),
      upstreamRequestId,
    });
    throw e;
  }
}

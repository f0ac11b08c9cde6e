/**
 * What kind of failure a task met, for a synchronous answer's HTTP status: `not_found` when
 * something the request names does not exist (404), else `failed` (422).
 */
export type FailureCode = "not_found" | "failed";

/**
 * A task failure the caller should hear about (bad input found late, a platform refusal).
 * Thrown inside a job to stop it; never retried. `code` is recorded on the task
 * (`progress.failureCode`) with the reason.
 */
export class TaskFailure extends Error {
  readonly code: FailureCode;
  constructor(message: string, code: FailureCode = "failed") {
    super(message);
    this.name = "TaskFailure";
    this.code = code;
  }
}

/** A task failure because the named object does not exist (answered 404 to a synchronous caller). */
export function notFound(message: string): TaskFailure {
  return new TaskFailure(message, "not_found");
}

/**
 * A task failure the caller should hear about (bad input found late, a platform refusal).
 * Thrown inside a job to stop it; never retried.
 */
export class TaskFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TaskFailure";
  }
}

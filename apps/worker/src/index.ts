export type { WorkerDeps } from "./deps.ts";
export { computerNameFor } from "./jobs/apply.ts";
export { type RunningWorker, startWorker } from "./worker.ts";

export type { WorkerDeps } from "./deps.ts";
export { computerNameFor } from "./jobs/apply.ts";
export { type RedeliveryOutcome, redeliver } from "./jobs/deliver-callback.ts";
export { GENERATED_NOTE } from "./jobs/pwd-reset.ts";
export { type ReconcileSummary, reconcile } from "./jobs/reconcile.ts";
export { RECONCILE_CRON, type RunningWorker, startWorker } from "./worker.ts";

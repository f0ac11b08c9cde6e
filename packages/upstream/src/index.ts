export { createWorkspacePlatform, type WorkspaceOptions } from "./adapters/workspace/adapter.ts";
export * from "./errors.ts";
export type * from "./hpc-port.ts";
export { awaitJob } from "./poll.ts";
export type * from "./port.ts";
export { createRateLimiter, type RateLimiter } from "./rate-limit.ts";
export { type RetryOptions, withRetry } from "./retry.ts";

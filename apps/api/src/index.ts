export { createApp } from "./app.ts";
export type { ApiDeps } from "./deps.ts";
export { DEFAULT_DISK_LIMITS, DEFAULT_IDEMPOTENCY_TTL_SECONDS } from "./deps.ts";
export { createRateLimiter } from "./middleware/rate-limit.ts";
export { createTaskWaiter, type TaskWaiter } from "./services/task-waiter.ts";
export type { AppRouter } from "./trpc/router.ts";

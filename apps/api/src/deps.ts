import type { Database, Intake, PgBoss } from "@deskgate/db";
import type { Logger, Metrics, SecretBox } from "@deskgate/runtime";
import type { CallbackPolicy } from "@deskgate/webhooks";
import type { RateLimiter } from "./middleware/rate-limit.ts";
import type { ApiKeyCache } from "./services/api-key-cache.ts";
import type { PlatformCatalog } from "./services/platform-catalog.ts";
import type { TaskWaiter } from "./services/task-waiter.ts";

/** What the api's services need, injected at main.ts (tests pass their own). */
export interface ApiDeps {
  database: Database;
  boss: PgBoss;
  /** Group commit of accepted tasks (idempotency claim + task row + job), see `createIntake`. */
  intake: Intake;
  logger: Logger;
  /** AES-256-GCM box: secrets in stored idempotent responses, passwords handed over by the worker. */
  box: SecretBox;
  callbackPolicy: CallbackPolicy;
  /** os → platform image id; an os without one is refused at request time. */
  osImages: Partial<Record<string, string>>;
  bodyLimitBytes: number;
  /** Wakes synchronous requests when their task ends (LISTEN on TASK_DONE_CHANNEL). */
  waiter: TaskWaiter;
  /** How long a synchronous request waits before answering 202 (DESKGATE_SYNC_TIMEOUT_MS). */
  syncTimeoutMs: number;
  /** API keys by key, dropped on any change to `api_keys` (NOTIFY). */
  apiKeys: ApiKeyCache;
  rateLimiter: RateLimiter;
  /**
   * Failed authentications per client address (issue 17.9): past `authFailuresPerMinute` in a
   * minute, every key check from that address is refused (429) until the minute ends.
   */
  authThrottle: RateLimiter;
  authFailuresPerMinute: number;
  /** Requests per minute of a key without its own `rate_limit_per_minute`. */
  defaultRateLimitPerMinute: number;
  /** How long an Idempotency-Key record is kept (default 24 h). */
  idempotencyTtlSeconds: number;
  /** Quotas and flavours read from the platform, cached, for request-time refusals (fail open). */
  catalog: PlatformCatalog;
  /** Data disk limits of the platform, checked at request time (SPEC 4: 10–32760 GB, ≤ 10 disks). */
  diskLimits: { maxBytes: number; maxDataDisks: number };
  /** Prometheus metrics; when present, requests are counted and `/metrics` serves them. */
  metrics?: Metrics;
  /** `/metrics` asks for `Authorization: Bearer <this>` when set (DESKGATE_METRICS_TOKEN). */
  metricsToken?: string;
}

export const GIB = 1024 ** 3;
export const DEFAULT_DISK_LIMITS = { maxBytes: 32760 * GIB, maxDataDisks: 10 };
export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

import {
  connect,
  createBoss,
  createIntake,
  deleteExpiredIdempotencyRecords,
  ensureApiKey,
  ensureQueues,
  pendingAppliesNow,
  runMigrations,
} from "@deskgate/db";
import { createLogger, createMetrics, createSecretBox, loadConfig, vdiAuth } from "@deskgate/runtime";
import { createWorkspacePlatform } from "@deskgate/upstream";
import { ownPortsFromConfig, parseAllowlist } from "@deskgate/webhooks";
import { serve } from "@hono/node-server";
import { createApp } from "./app.ts";
import { DEFAULT_DISK_LIMITS, DEFAULT_IDEMPOTENCY_TTL_SECONDS } from "./deps.ts";
import { createRateLimiter } from "./middleware/rate-limit.ts";
import { createApiKeyCache } from "./services/api-key-cache.ts";
import { createPlatformCatalog } from "./services/platform-catalog.ts";
import { createTaskWaiter } from "./services/task-waiter.ts";

const config = loadConfig(process.env);
const logger = createLogger({ name: "deskgate-api", level: config.DESKGATE_LOG_LEVEL });
if (!config.DATABASE_URL) {
  logger.fatal("DATABASE_URL is required (pnpm start sets it up for you)");
  process.exit(2);
}

await runMigrations(config.DATABASE_URL);
const database = connect(withTimeouts(config.DATABASE_URL), { max: 10, applicationName: "deskgate-api" });
const boss = createBoss(config.DATABASE_URL, { supervise: false, schedule: false });
boss.on("error", (err) => logger.error({ err: err.message }, "queue error"));
await boss.start();
// The api enqueues into every catalog queue, so it makes sure they exist (idempotent): an api
// that starts before any worker must not fail its first requests.
await ensureQueues(boss);
if (config.DESKGATE_BOOTSTRAP_API_KEY) {
  await ensureApiKey(database.db, {
    name: "bootstrap",
    key: config.DESKGATE_BOOTSTRAP_API_KEY,
    scopes: ["admin"],
  });
  logger.info("bootstrap API key ensured (admin)");
}
const waiter = createTaskWaiter(database, logger);
const apiKeys = createApiKeyCache(database, logger);
// Idempotency records are kept 24 h; expired ones are swept hourly (any api process may do it).
setInterval(() => {
  deleteExpiredIdempotencyRecords(database.db).catch((err: Error) =>
    logger.warn({ err: err.message }, "idempotency sweep failed"),
  );
}, 3_600_000).unref();

// Read-only: quotas and flavours for request-time refusals. It fails fast (one try, 3 s) and
// then open: a platform that cannot be read leaves the decision to the worker.
const platform = createWorkspacePlatform({
  baseUrl: config.DESKGATE_VDI_URL,
  projectId: config.DESKGATE_VDI_PROJECT_ID,
  auth: vdiAuth(config),
  images: config.DESKGATE_VDI_OS_IMAGES,
  products: { windows: config.DESKGATE_VDI_PRODUCT_WINDOWS, linux: config.DESKGATE_VDI_PRODUCT_LINUX },
  ratePerSecond: config.DESKGATE_VDI_RATE_PER_SEC,
  requestTimeoutMs: Math.min(3000, config.DESKGATE_UPSTREAM_TIMEOUT_MS),
  retry: { attempts: 1 },
});
const catalog = createPlatformCatalog(platform, {
  pendingApplies: () => pendingAppliesNow(database.db),
  logger,
});

const app = createApp({
  database,
  boss,
  intake: createIntake(database, boss),
  logger,
  box: createSecretBox(config.DESKGATE_ENCRYPTION_KEY),
  // deskgate's own ports on this host (this api, the worker's metrics, a local simulator…) stay
  // refused whatever the allowlist opens (issue 17.4); the worker refuses the same ones.
  callbackPolicy: parseAllowlist(config.DESKGATE_CALLBACK_ALLOWLIST, {
    ownPorts: ownPortsFromConfig(config),
  }),
  osImages: config.DESKGATE_VDI_OS_IMAGES,
  bodyLimitBytes: 64 * 1024,
  waiter,
  syncTimeoutMs: config.DESKGATE_SYNC_TIMEOUT_MS,
  apiKeys,
  rateLimiter: createRateLimiter(),
  authThrottle: createRateLimiter(),
  authFailuresPerMinute: config.DESKGATE_AUTH_FAILURES_PER_MINUTE,
  defaultRateLimitPerMinute: config.DESKGATE_RATE_LIMIT_PER_MINUTE,
  idempotencyTtlSeconds: DEFAULT_IDEMPOTENCY_TTL_SECONDS,
  diskLimits: DEFAULT_DISK_LIMITS,
  catalog,
  metrics: config.DESKGATE_METRICS ? createMetrics("api") : undefined,
  metricsToken: config.DESKGATE_METRICS_TOKEN,
});

const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.DESKGATE_HOST }, (info) => {
  logger.info({ url: `http://${config.DESKGATE_HOST}:${info.port}` }, "api listening");
});

/**
 * A database that is down must answer 503 quickly, not hang: connecting gives up after 5 s
 * and a statement after 30 s (unless the URL sets its own).
 */
function withTimeouts(url: string): string {
  const u = new URL(url);
  if (!u.searchParams.has("connect_timeout")) u.searchParams.set("connect_timeout", "5");
  if (!u.searchParams.has("statement_timeout")) u.searchParams.set("statement_timeout", "30000");
  return u.toString();
}

let stopping = false;
function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "api stopping");
  server.close(async () => {
    await waiter.close();
    await apiKeys.close();
    await platform.close();
    await boss.stop({ graceful: true, timeout: 10_000 });
    await database.close();
    process.exit(0);
  });
  setTimeout(() => process.exit(0), 15_000).unref();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));

import { connect, createBoss, resolveWebhookSecret, runMigrations } from "@deskgate/db";
import { createLogger, createMetrics, createSecretBox, loadConfig, vdiAuth } from "@deskgate/runtime";
import { createScnetPlatform, createWorkspacePlatform } from "@deskgate/upstream";
import {
  createDeliverer,
  generateWebhookSecret,
  ownPortsFromConfig,
  parseAllowlist,
  scaledRetryDelaySec,
} from "@deskgate/webhooks";
import { startMetricsServer } from "./metrics-server.ts";
import { startWorker } from "./worker.ts";

const config = loadConfig(process.env);
const logger = createLogger({ name: "deskgate-worker", level: config.DESKGATE_LOG_LEVEL });
if (!config.DATABASE_URL) {
  logger.fatal("DATABASE_URL is required (pnpm start sets it up for you)");
  process.exit(2);
}

await runMigrations(config.DATABASE_URL);
// Tasks hold a connection only for a statement or a short transaction (never across an upstream
// call), so 10 serve any concurrency: a pool per task slot ran 4 workers out of PostgreSQL's 100.
const database = connect(config.DATABASE_URL, {
  max: 10,
  applicationName: "deskgate-worker",
});
// jobs are fetched by the dispatcher, which LISTENs itself (its own connection)
const boss = createBoss(config.DATABASE_URL);
boss.on("error", (err) => logger.error({ err: err.message }, "queue error"));
await boss.start();

const box = createSecretBox(config.DESKGATE_ENCRYPTION_KEY);
const platform = createWorkspacePlatform({
  baseUrl: config.DESKGATE_VDI_URL,
  projectId: config.DESKGATE_VDI_PROJECT_ID,
  auth: vdiAuth(config),
  images: config.DESKGATE_VDI_OS_IMAGES,
  products: { windows: config.DESKGATE_VDI_PRODUCT_WINDOWS, linux: config.DESKGATE_VDI_PRODUCT_LINUX },
  canSetPassword: config.DESKGATE_VDI_SET_PASSWORD,
  ratePerSecond: config.DESKGATE_VDI_RATE_PER_SEC,
  requestTimeoutMs: config.DESKGATE_UPSTREAM_TIMEOUT_MS,
});
const hpc = createScnetPlatform({
  baseUrl: config.DESKGATE_HPC_URL,
  urlPolicy: {
    allowlist: config.DESKGATE_UPSTREAM_ALLOWLIST,
    allowHttp: config.DESKGATE_UPSTREAM_ALLOW_HTTP,
  },
  ratePerSecond: config.DESKGATE_HPC_RATE_PER_SEC,
  requestTimeoutMs: config.DESKGATE_UPSTREAM_TIMEOUT_MS,
});
const deliverer = createDeliverer({
  // As the api's request-time check: deskgate's own ports on this host are never delivered to.
  policy: parseAllowlist(config.DESKGATE_CALLBACK_ALLOWLIST, { ownPorts: ownPortsFromConfig(config) }),
  timeoutMs: config.DESKGATE_CALLBACK_TIMEOUT_MS,
});
const secret = await resolveWebhookSecret(
  database.db,
  box,
  config.DESKGATE_WEBHOOK_SECRET,
  generateWebhookSecret,
);

const metrics = createMetrics("worker");
const worker = await startWorker({
  metrics,
  database,
  boss,
  platform,
  hpc,
  deliverer,
  box,
  logger,
  webhookSecrets: async () => [secret],
  callbackRetryDelaySec: scaledRetryDelaySec(config.DESKGATE_CALLBACK_RETRY_SCALE),
  settings: {
    pollIntervalMs: config.DESKGATE_VDI_POLL_INTERVAL_MS,
    jobTimeoutMs: config.DESKGATE_VDI_JOB_TIMEOUT_MS,
    concurrency: config.DESKGATE_WORKER_CONCURRENCY,
    defaultPassword: config.DESKGATE_DEFAULT_PASSWORD,
    leaseNoticeMs: config.DESKGATE_LEASE_NOTICE_DAYS * 86_400_000,
    leaseGraceMs: config.DESKGATE_LEASE_GRACE_DAYS * 86_400_000,
  },
});
const metricsServer = config.DESKGATE_WORKER_METRICS_PORT
  ? await startMetricsServer(metrics, {
      port: config.DESKGATE_WORKER_METRICS_PORT,
      host: config.DESKGATE_HOST,
      token: config.DESKGATE_METRICS_TOKEN,
    })
  : null;
logger.info({ upstream: config.DESKGATE_VDI_URL, metrics: metricsServer?.url }, "worker started");

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "worker stopping");
  await worker.stop({ timeoutMs: 30_000 });
  await metricsServer?.close();
  await Promise.all([platform.close(), hpc.close(), deliverer.close(), database.close()]);
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

import { connect, createBoss, runMigrations } from "@deskgate/db";
import { createLogger, loadConfig } from "@deskgate/runtime";
import { parseAllowlist } from "@deskgate/webhooks";
import { serve } from "@hono/node-server";
import { createApp } from "./app.ts";

const config = loadConfig(process.env);
const logger = createLogger({ name: "deskgate-api", level: config.DESKGATE_LOG_LEVEL });
if (!config.DATABASE_URL) {
  logger.fatal("DATABASE_URL is required (pnpm start sets it up for you)");
  process.exit(2);
}

await runMigrations(config.DATABASE_URL);
const database = connect(config.DATABASE_URL, { max: 10, applicationName: "deskgate-api" });
const boss = createBoss(config.DATABASE_URL, { supervise: false, schedule: false, useListenNotify: false });
boss.on("error", (err) => logger.error({ err: err.message }, "queue error"));
await boss.start();

const app = createApp({
  database,
  boss,
  logger,
  callbackPolicy: parseAllowlist(config.DESKGATE_CALLBACK_ALLOWLIST),
  osImages: config.DESKGATE_VDI_OS_IMAGES,
  bodyLimitBytes: 64 * 1024,
});

const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.DESKGATE_HOST }, (info) => {
  logger.info({ url: `http://${config.DESKGATE_HOST}:${info.port}` }, "api listening");
});

let stopping = false;
function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "api stopping");
  server.close(async () => {
    await boss.stop({ graceful: true, timeout: 10_000 });
    await database.close();
    process.exit(0);
  });
  setTimeout(() => process.exit(0), 15_000).unref();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));

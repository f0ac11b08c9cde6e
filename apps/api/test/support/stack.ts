import { randomBytes } from "node:crypto";
import { connect, createBoss, type Database } from "@deskgate/db";
import { createTestDatabase } from "@deskgate/db/testing";
import { createLogger, createSecretBox } from "@deskgate/runtime";
import { createSim, SIM_IMAGES } from "@deskgate/sim";
import { createWorkspacePlatform } from "@deskgate/upstream";
import { createDeliverer, generateWebhookSecret, parseAllowlist } from "@deskgate/webhooks";
import { startWorker } from "@deskgate/worker";
import { serve } from "@hono/node-server";
import { createApp } from "../../src/app.ts";

export const SIM_OS_IMAGES = Object.fromEntries(
  Object.entries(SIM_IMAGES).map(([os, image]) => [os, image.image_id]),
);

/**
 * The whole of deskgate for one test file: its own database, the simulator, the api on a
 * real port, and the worker — all talking over real HTTP and a real PostgreSQL.
 */
export async function startStack(opts: { simJobPhaseMs?: number } = {}) {
  const testDb = await createTestDatabase();
  const sim = createSim({ jobPhaseMs: opts.simJobPhaseMs ?? 15 });
  const simServer = await sim.listen(0);
  const logger = createLogger({ name: "test", level: "silent" });
  const database: Database = connect(testDb.url, { max: 20 });
  const apiBoss = createBoss(testDb.url, { supervise: false, schedule: false, useListenNotify: false });
  const workerBoss = createBoss(testDb.url);
  for (const boss of [apiBoss, workerBoss]) boss.on("error", () => {});
  await Promise.all([apiBoss.start(), workerBoss.start()]);
  const box = createSecretBox(randomBytes(32));
  const webhookSecret = generateWebhookSecret();
  const policy = parseAllowlist("127.0.0.1/32");
  const platform = createWorkspacePlatform({
    baseUrl: simServer.url,
    projectId: "sim-project",
    token: "sim-token",
    images: SIM_OS_IMAGES,
    products: { windows: "workspace.x86.c2m4.windows", linux: "workspace.x86.c2m4.linux" },
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
  });
  const deliverer = createDeliverer({ policy, timeoutMs: 5000 });
  const worker = await startWorker({
    database,
    boss: workerBoss,
    platform,
    deliverer,
    box,
    logger,
    webhookSecrets: async () => [webhookSecret],
    settings: { pollIntervalMs: 20, jobTimeoutMs: 30_000, concurrency: 20 },
  });
  const app = createApp({
    database,
    boss: apiBoss,
    logger,
    callbackPolicy: policy,
    osImages: SIM_OS_IMAGES,
    bodyLimitBytes: 64 * 1024,
  });
  const apiServer = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const address = apiServer.address();
  const apiUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

  return {
    apiUrl,
    simUrl: simServer.url,
    database,
    webhookSecret,
    post: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(apiUrl + path, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    simState: async () => (await fetch(`${simServer.url}/_sim/state`)).json() as Promise<SimState>,
    async stop() {
      await new Promise<void>((r) => apiServer.close(() => r()));
      await worker.stop({ timeoutMs: 5000 });
      await apiBoss.stop({ graceful: false });
      await Promise.all([platform.close(), deliverer.close(), simServer.close()]);
      await database.close();
      await testDb.drop();
    },
  };
}

export interface SimState {
  users: { id: string; user_name: string; password?: string }[];
  desktops: { desktop_id: string; computer_name: string; user_name: string; status: string }[];
}

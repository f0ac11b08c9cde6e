import { randomBytes } from "node:crypto";
import {
  connect,
  createApiKey,
  createBoss,
  createIntake,
  type Database,
  pendingAppliesNow,
  schema,
} from "@deskgate/db";
import { createTestDatabase } from "@deskgate/db/testing";
import { createLogger, createMetrics, createSecretBox } from "@deskgate/runtime";
import { createSim, randomSimCredentials, SIM_URL_POLICY, simConnection } from "@deskgate/sim";
import { createScnetPlatform, createWorkspacePlatform } from "@deskgate/upstream";
import { createDeliverer, generateWebhookSecret, parseAllowlist } from "@deskgate/webhooks";
import { startWorker } from "@deskgate/worker";
import { serve } from "@hono/node-server";
import { createApp } from "../../src/app.ts";
import { type ApiDeps, DEFAULT_DISK_LIMITS } from "../../src/deps.ts";
import { createRateLimiter } from "../../src/middleware/rate-limit.ts";
import { createApiKeyCache } from "../../src/services/api-key-cache.ts";
import { type CatalogOptions, createPlatformCatalog } from "../../src/services/platform-catalog.ts";
import { createTaskWaiter } from "../../src/services/task-waiter.ts";

export const SIM_OS_IMAGES = simConnection("").images;

/** The HPC account every stack knows (the simulator's default SCNet user). */
export const HPC_ACCOUNT = "lab";

/** The named tenant of the stack's `desktop` key (what `seedMirror` seeds belongs to it). */
export const DESKTOP_TENANT = "team-a";

export interface StackOptions {
  simJobPhaseMs?: number;
  /** Start the worker (default true). Without it, tasks stay queued: tests of the api's own part. */
  worker?: boolean;
  syncTimeoutMs?: number;
  defaultRateLimitPerMinute?: number;
  /** Failed authentications per address and minute before 429 (default: unlimited in tests). */
  authFailuresPerMinute?: number;
  defaultPassword?: string;
  /** Where the api's log lines go (default: nowhere). */
  apiLog?: { write(line: string): void };
  /** Where the worker's log lines go (default: nowhere). */
  workerLog?: { write(line: string): void };
  /** Give the api its Prometheus metrics (request counting, `/metrics`). */
  metrics?: boolean;
  /** Cache lifetimes of the api's platform catalog (default: production's, 5 s quotas, 5 min flavours). */
  catalog?: Pick<CatalogOptions, "quotaTtlMs" | "catalogTtlMs" | "failureTtlMs">;
  /** Sees every answer `call`/`post`/`get` receive (e.g. to check it against the OpenAPI document). */
  onResponse?: (exchange: { method: string; path: string; status: number; body: string }) => void;
}

/**
 * The whole of deskgate for one test file: its own database, the simulator, the api on a
 * real port, and the worker — all talking over real HTTP and a real PostgreSQL. Keys: one
 * admin key (the default for requests), one per scope.
 */
export async function startStack(opts: StackOptions = {}) {
  const testDb = await createTestDatabase();
  const credentials = randomSimCredentials();
  const sim = createSim({ jobPhaseMs: opts.simJobPhaseMs ?? 15, ...credentials });
  const simServer = await sim.listen(0);
  const logger = createLogger({ name: "test", level: "silent" });
  const database: Database = connect(testDb.url, { max: 20 });
  const apiBoss = createBoss(testDb.url, { supervise: false, schedule: false });
  const workerBoss = createBoss(testDb.url);
  for (const boss of [apiBoss, workerBoss]) boss.on("error", () => {});
  await Promise.all([apiBoss.start(), opts.worker === false ? null : workerBoss.start()]);
  const box = createSecretBox(randomBytes(32));
  const webhookSecret = generateWebhookSecret();
  const policy = parseAllowlist("127.0.0.1/32");
  const platform = createWorkspacePlatform({
    ...simConnection(simServer.url, credentials),
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    canSetPassword: true, // the simulator's set-password extension, on as in the dev stack
  });
  const hpc = createScnetPlatform({
    baseUrl: simServer.url,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    urlPolicy: SIM_URL_POLICY,
  });
  const deliverer = createDeliverer({ policy, timeoutMs: 5000 });
  // tenants (docs/api.md, "Tenants"): the desktop key's is named (other keys may share it), the
  // others are each key's own; the HPC account is the hpc key's
  const made = {
    admin: await createApiKey(database.db, { name: "test-admin", scopes: ["admin"] }),
    desktop: await createApiKey(database.db, {
      name: "test-desktop",
      scopes: ["desktop"],
      tenant: DESKTOP_TENANT,
    }),
    hpc: await createApiKey(database.db, { name: "test-hpc", scopes: ["hpc"] }),
  };
  const keys = { admin: made.admin.key, desktop: made.desktop.key, hpc: made.hpc.key };
  const tenants = { admin: `key:${made.admin.id}`, desktop: DESKTOP_TENANT, hpc: `key:${made.hpc.id}` };
  await database.db.insert(schema.hpcAccounts).values({
    tenant: `key:${made.hpc.id}`,
    name: HPC_ACCOUNT,
    platformUser: "hpcuser",
    orgId: "org-1",
    sealedPassword: box.seal("hpc-pass"),
  });
  const worker =
    opts.worker === false
      ? null
      : await startWorker({
          database,
          boss: workerBoss,
          platform,
          hpc,
          deliverer,
          box,
          logger: opts.workerLog
            ? createLogger({ name: "deskgate-worker", destination: opts.workerLog })
            : logger,
          webhookSecrets: async () => [webhookSecret],
          settings: {
            pollIntervalMs: 20,
            jobTimeoutMs: 30_000,
            concurrency: 20,
            defaultPassword: opts.defaultPassword ?? "Default-Pass-2026!",
            reconcileCron: null,
          },
        });
  const waiter = createTaskWaiter(database, logger);
  const apiLogger = opts.apiLog ? createLogger({ name: "deskgate-api", destination: opts.apiLog }) : logger;
  // the api's own read-only adapter, as main.ts makes it: one try, short timeout
  const catalogPlatform = createWorkspacePlatform({
    ...simConnection(simServer.url, credentials),
    requestTimeoutMs: 1000,
    retry: { attempts: 1 },
  });
  const appDeps: ApiDeps = {
    database,
    boss: apiBoss,
    intake: createIntake(database, apiBoss),
    logger: apiLogger,
    box,
    callbackPolicy: policy,
    osImages: SIM_OS_IMAGES,
    bodyLimitBytes: 64 * 1024,
    waiter,
    syncTimeoutMs: opts.syncTimeoutMs ?? 15_000,
    apiKeys: createApiKeyCache(database, logger),
    rateLimiter: createRateLimiter(),
    authThrottle: createRateLimiter(),
    authFailuresPerMinute: opts.authFailuresPerMinute ?? 1_000_000,
    defaultRateLimitPerMinute: opts.defaultRateLimitPerMinute ?? 1_000_000,
    idempotencyTtlSeconds: 24 * 3600,
    diskLimits: DEFAULT_DISK_LIMITS,
    catalog: createPlatformCatalog(catalogPlatform, {
      pendingApplies: () => pendingAppliesNow(database.db),
      logger: apiLogger,
      ...opts.catalog,
    }),
    metrics: opts.metrics ? createMetrics("api") : undefined,
  };
  const app = createApp(appDeps);
  const apiServer = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const address = apiServer.address();
  const apiUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

  /** A request to the api; `key` defaults to the admin key, `null` sends none. */
  const call = (
    method: string,
    path: string,
    init: { body?: unknown; headers?: Record<string, string>; key?: string | null } = {},
  ) => {
    const key = init.key === undefined ? keys.admin : init.key;
    const headers: Record<string, string> = {
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...init.headers,
    };
    const answer = fetch(apiUrl + path, {
      method,
      headers,
      ...(init.body === undefined
        ? {}
        : { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }),
    });
    const { onResponse } = opts;
    if (!onResponse) return answer;
    return answer.then(async (res) => {
      onResponse({ method, path, status: res.status, body: await res.clone().text() });
      return res;
    });
  };

  return {
    apiUrl,
    /** What the api was built with (to build a second app over other parts). */
    appDeps,
    simUrl: simServer.url,
    /** Set the simulator's faults (`POST /_sim/faults`, e.g. `{ quota_desktops: 3 }`; `{}` clears). */
    async simFaults(faults: Record<string, unknown>) {
      const res = await fetch(`${simServer.url}/_sim/faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(faults),
      });
      if (!res.ok) throw new Error(`sim faults: ${res.status} ${await res.text()}`);
    },
    databaseUrl: testDb.url,
    database,
    box,
    keys,
    /** The tenant each of `keys` acts for. */
    tenants,
    webhookSecret,
    call,
    post: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      call("POST", path, { body, headers }),
    get: (path: string, headers: Record<string, string> = {}) => call("GET", path, { headers }),
    simState: async () => (await fetch(`${simServer.url}/_sim/state`)).json() as Promise<SimState>,
    /**
     * Count tasks and the tasks that have a pg-boss job (callback deliveries and reconciles
     * aside). By task, not by job row: a parked task of an earlier test that resumes meanwhile
     * adds a job row for a task that already had one, which is not something a refusal wrote.
     */
    async counts() {
      const [row] = await database.sql<{ tasks: number; jobs: number }[]>`
        select (select count(*)::int from tasks) as tasks,
               (select count(distinct data->>'task_id')::int from pgboss.job
                 where name not in ('callback.deliver', 'platform.reconcile')) as jobs`;
      return row!;
    },
    async stop() {
      await new Promise<void>((r) => apiServer.close(() => r()));
      await waiter.close();
      await appDeps.apiKeys.close();
      await worker?.stop({ timeoutMs: 5000 });
      await apiBoss.stop({ graceful: false });
      if (opts.worker === false) await workerBoss.stop({ graceful: false }).catch(() => {});
      await Promise.all([platform.close(), catalogPlatform.close(), deliverer.close(), simServer.close()]);
      await database.close();
      await testDb.drop();
    },
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

export interface SimState {
  users: { id: string; user_name: string; password?: string }[];
  desktops: { desktop_id: string; computer_name: string; user_name: string; status: string }[];
}

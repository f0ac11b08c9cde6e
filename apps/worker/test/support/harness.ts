import { randomBytes, randomUUID } from "node:crypto";
import type { QueueName } from "@deskgate/contracts";
import {
  connect,
  createBoss,
  type Database,
  enqueue,
  getTask,
  insertTask,
  listSteps,
  schema,
  TASK_DONE_CHANNEL,
  type TaskRow,
} from "@deskgate/db";
import { createTestDatabase } from "@deskgate/db/testing";
import { createLogger, createSecretBox, type SecretBox } from "@deskgate/runtime";
import {
  createSim,
  randomSimCredentials,
  SIM_URL_POLICY,
  type SimOptions,
  simConnection,
} from "@deskgate/sim";
import {
  createScnetPlatform,
  createWorkspacePlatform,
  type UpstreamUrlPolicyOptions,
  type WorkspaceAuth,
} from "@deskgate/upstream";
import { createDeliverer, generateWebhookSecret, parseAllowlist } from "@deskgate/webhooks";
import type { WorkerDeps } from "../../src/deps.ts";
import { type RunningWorker, startWorker } from "../../src/worker.ts";

export const SIM_OS_IMAGES = simConnection("").images;
export const GIB = 1024 ** 3;

export interface HarnessOptions {
  sim?: SimOptions;
  canSetPassword?: boolean;
  defaultPassword?: string;
  allowlist?: string;
  /** How the Workspace adapter authenticates (default: AK/SK signing with this run's fresh AK/SK). */
  vdiAuth?: (simUrl: string) => WorkspaceAuth;
  /** The upstream URL policy of the SCNet adapter (default: the simulator's origin allowed). */
  upstreamUrlPolicy?: UpstreamUrlPolicyOptions;
  /** Start the worker's queue handlers (default true). */
  work?: boolean;
  /** Wrap the Workspace adapter the worker uses (e.g. to act between two of its calls). */
  wrapPlatform?: (platform: WorkerDeps["platform"]) => WorkerDeps["platform"];
  overrides?: Partial<WorkerDeps>;
}

/**
 * One test file's world: its own database, an in-process simulator over real HTTP, the real
 * adapters, and the worker with its pg-boss. Tasks are submitted the way the api does it:
 * task row and job in one transaction.
 */
export async function startHarness(opts: HarnessOptions = {}) {
  const testDb = await createTestDatabase();
  const credentials = randomSimCredentials();
  const sim = createSim({ jobPhaseMs: 15, ...credentials, ...opts.sim });
  const simServer = await sim.listen(0);
  const database: Database = connect(testDb.url, { max: 20 });
  const boss = createBoss(testDb.url);
  boss.on("error", () => {});
  await boss.start();
  const box = createSecretBox(randomBytes(32));
  const webhookSecret = generateWebhookSecret();
  const platform = createWorkspacePlatform({
    ...simConnection(simServer.url, credentials),
    ...(opts.vdiAuth ? { auth: opts.vdiAuth(simServer.url) } : {}),
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    canSetPassword: opts.canSetPassword ?? true,
  });
  const hpc = createScnetPlatform({
    baseUrl: simServer.url,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    urlPolicy: opts.upstreamUrlPolicy ?? SIM_URL_POLICY,
  });
  const deliverer = createDeliverer({
    policy: parseAllowlist(opts.allowlist ?? "127.0.0.1/32"),
    timeoutMs: 3000,
  });
  const deps: WorkerDeps = {
    database,
    boss,
    platform: opts.wrapPlatform ? opts.wrapPlatform(platform) : platform,
    hpc,
    deliverer,
    box,
    logger: createLogger({ name: "worker-test", level: "silent" }),
    webhookSecrets: async () => [webhookSecret],
    settings: {
      pollIntervalMs: 20,
      jobTimeoutMs: 30_000,
      concurrency: 20,
      defaultPassword: opts.defaultPassword,
      reconcileCron: null,
    },
    ...opts.overrides,
  };
  const worker: RunningWorker | null = opts.work === false ? null : await startWorker(deps);

  /** Resolves when the task ends (LISTEN on the task-done channel; a slow poll as the net). */
  async function waitTask(taskId: string, timeoutMs = 25_000): Promise<TaskRow> {
    const ended = (t: TaskRow | undefined) => t && ["succeeded", "failed", "cancelled"].includes(t.state);
    let wake: () => void = () => {};
    const listener = await database.sql.listen(TASK_DONE_CHANNEL, (id) => id === taskId && wake());
    try {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const task = await getTask(database.db, taskId);
        if (ended(task)) return task!;
        if (Date.now() > deadline)
          throw new Error(`task ${taskId} still ${task?.state} after ${timeoutMs} ms`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 500);
        });
      }
    } finally {
      await listener.unlisten();
    }
  }

  async function submit(
    kind: QueueName,
    request: Record<string, unknown>,
    extra: { callbackUrl?: string | null; apiKeyId?: string } = {},
  ) {
    const id = randomUUID();
    const callbackUrl =
      extra.callbackUrl === undefined
        ? ((request.callback_url as string | undefined) ?? null)
        : extra.callbackUrl;
    await database.db.transaction(async (tx) => {
      await insertTask(tx, { id, kind, request, callbackUrl, apiKeyId: extra.apiKeyId ?? null });
      await enqueue(boss, tx, kind, { task_id: id });
    });
    return id;
  }

  /** Submit and wait for the end. */
  async function run(
    kind: QueueName,
    request: Record<string, unknown>,
    extra: { callbackUrl?: string | null; apiKeyId?: string } = {},
  ) {
    return waitTask(await submit(kind, request, extra));
  }

  /** A fresh desktop made by an apply task, with its user. */
  async function makeDesktop(group = `g${randomBytes(3).toString("hex")}`) {
    const task = await run("desktop.apply", { username: group, os: "win10" }, { callbackUrl: null });
    if (task.state !== "succeeded") throw new Error(`apply failed: ${task.error}`);
    const result = task.result as { username: string; desktop_uuid: string; desktop_name: string };
    return result;
  }

  /** A raw call to the simulator's VDI API (for setting up state "outside deskgate"). */
  async function simVdi(method: string, path: string, body?: unknown) {
    const res = await fetch(`${simServer.url}/v2/sim-project${path}`, {
      method,
      headers: { "x-auth-token": "sim-token", "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  async function addHpcAccount(
    name: string,
    account: {
      user: string;
      orgId: string;
      password?: string;
      accessKey?: string;
      secretKey?: string;
      cluster?: string;
    } = { user: "hpcuser", password: "hpc-pass", orgId: "org-1" },
  ) {
    await database.db.insert(schema.hpcAccounts).values({
      name,
      platformUser: account.user,
      orgId: account.orgId,
      cluster: account.cluster ?? null,
      ...(account.password ? { sealedPassword: box.seal(account.password) } : {}),
      ...(account.accessKey && account.secretKey
        ? { accessKey: account.accessKey, sealedAccessSecret: box.seal(account.secretKey) }
        : {}),
    });
  }

  return {
    deps,
    database,
    box: box as SecretBox,
    boss,
    sim,
    simUrl: simServer.url,
    webhookSecret,
    submit,
    run,
    waitTask,
    makeDesktop,
    simVdi,
    addHpcAccount,
    steps: (taskId: string) => listSteps(database.db, taskId),
    simState: async () => (await fetch(`${simServer.url}/_sim/state`)).json() as Promise<SimState>,
    faults: (body: unknown) =>
      fetch(`${simServer.url}/_sim/faults`, { method: "POST", body: JSON.stringify(body) }).then((r) =>
        r.json(),
      ),
    async stop() {
      await worker?.stop({ timeoutMs: 5000 });
      if (!worker) await boss.stop({ graceful: false });
      await Promise.all([platform.close(), hpc.close(), deliverer.close(), simServer.close()]);
      await database.close();
      await testDb.drop();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

export interface SimState {
  users: { id: string; user_name: string; password: string }[];
  desktops: {
    desktop_id: string;
    computer_name: string;
    user_name: string;
    status: string;
    product_id: string;
    data_volumes?: { volume_id: string; size: number }[];
  }[];
  volumes: { volume_id: string; desktop_id: string; size: number; bootable: boolean }[];
  policy_groups: { policy_group_name: string; targets: { target_id: string; target_type: string }[] }[];
  vnc_sessions: { sessionId: string; user: string }[];
  tokens_issued: number;
  stats: { by_route: Record<string, number>; auth_rejected: number; iam_tokens_issued: number };
}

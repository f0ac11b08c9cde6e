/**
 * `pnpm start` (or `./dg start`): the whole of deskgate on one machine — PostgreSQL
 * (embedded unless DATABASE_URL is set), the upstream simulator (unless DESKGATE_VDI_URL is
 * set), the api, the worker, and a callback inbox that verifies signatures. Ctrl-C stops
 * everything cleanly.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import {
  connect,
  type Db,
  ensureApiKey,
  findApiKey,
  generateApiKey,
  resolveWebhookSecret,
  runMigrations,
  setSigningSecret,
} from "@deskgate/db";
import { freePort, startEmbeddedPostgres } from "@deskgate/db/embedded";
import { createSecretBox, generatePassword, type SecretBox, serviceProcessEnv } from "@deskgate/runtime";
import { generateWebhookSecret } from "@deskgate/webhooks";
import postgres from "postgres";
import { startInbox } from "./inbox.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env };
const dataDir = resolve(root, env.DESKGATE_DATA_DIR ?? ".data");
mkdirSync(dataDir, { recursive: true });
const runtimeFile = join(dataDir, "dev-runtime.json");
const children: { name: string; proc: ChildProcess }[] = [];
let stopDatabase: (() => Promise<void>) | null = null;
let stopping = false;

function say(line: string) {
  process.stdout.write(`${line}\n`);
}

async function main() {
  // 1. Dev secrets (kept in a git-ignored file, mode 600) unless configured.
  const secretsFile = join(dataDir, "dev-secrets.json");
  if (!existsSync(secretsFile)) {
    writeFileSync(secretsFile, JSON.stringify({ encryptionKey: randomBytes(32).toString("base64") }), {
      mode: 0o600,
    });
    chmodSync(secretsFile, 0o600);
  }
  let devSecrets = JSON.parse(readFileSync(secretsFile, "utf8")) as {
    encryptionKey: string;
    devDefaultPassword?: string;
  };
  // 1a. pwd-reset's default password (what `"password": ""` sets), one per data folder, so the
  // docs' example works; kept beside the other dev secrets, never printed.
  if (!devSecrets.devDefaultPassword) {
    devSecrets = { ...devSecrets, devDefaultPassword: generatePassword() };
    writeFileSync(secretsFile, JSON.stringify(devSecrets), { mode: 0o600 });
  }
  env.DESKGATE_DEFAULT_PASSWORD ??= devSecrets.devDefaultPassword;
  // 1b. The AK/SK the simulator verifies Workspace signatures with, new on every start.
  const vdiKeys = {
    accessKey: `DEVAK${randomBytes(8).toString("hex").toUpperCase()}`,
    secretKey: randomBytes(24).toString("base64url"),
  };
  env.DESKGATE_ENCRYPTION_KEY ??= devSecrets.encryptionKey;

  // 2. PostgreSQL.
  let databaseNote = "DATABASE_URL";
  if (!env.DATABASE_URL) {
    const server = await startEmbeddedPostgres({ dataDir: join(dataDir, "pg") });
    stopDatabase = server.stop;
    const admin = postgres(server.url, { max: 1, onnotice: () => {} });
    const [exists] = await admin`select 1 from pg_database where datname = 'deskgate'`;
    if (!exists) await admin.unsafe("create database deskgate");
    await admin.end();
    env.DATABASE_URL = server.databaseUrl("deskgate");
    databaseNote = `embedded PostgreSQL on localhost:${server.port}, data in ${join(dataDir, "pg")}`;
  }
  await runMigrations(env.DATABASE_URL);

  // 3. The signing secret, so the inbox can verify what the worker signs.
  const database = connect(env.DATABASE_URL, { max: 1 });
  const box = createSecretBox(Buffer.from(env.DESKGATE_ENCRYPTION_KEY, "base64"));
  const secret = await resolveWebhookSecret(
    database.db,
    box,
    env.DESKGATE_WEBHOOK_SECRET,
    generateWebhookSecret,
  );
  const devKey = await ensureDevAdminKey(database.db, box, secretsFile);
  await database.close();

  // 4. Simulator.
  let simUrl = env.DESKGATE_VDI_URL;
  if (!simUrl) {
    const port = await portOr(Number(env.SIM_PORT ?? 8090));
    simUrl = `http://127.0.0.1:${port}`;
    await launch("sim", "apps/sim/src/main.ts", {
      ...env,
      PORT: String(port),
      SIM_JOB_PHASE_MS: env.SIM_JOB_PHASE_MS ?? "300",
      SIM_ACCESS_KEY: vdiKeys.accessKey,
      SIM_SECRET_KEY: vdiKeys.secretKey,
    });
    await waitForHttp(`${simUrl}/_sim/state`);
    env.DESKGATE_VDI_URL = simUrl;
    // The simulator checks every call's SDK-HMAC-SHA256 signature with these.
    env.DESKGATE_VDI_AUTH = "aksk";
    env.DESKGATE_VDI_AK = vdiKeys.accessKey;
    env.DESKGATE_VDI_SK = vdiKeys.secretKey;
    env.DESKGATE_HPC_URL ??= simUrl;
    // The simulator's centre answers its own http://127.0.0.1 origin as the HPC URL.
    env.DESKGATE_UPSTREAM_ALLOWLIST ??= "127.0.0.1/32";
    env.DESKGATE_UPSTREAM_ALLOW_HTTP ??= "true";
    env.DESKGATE_VDI_POLL_INTERVAL_MS ??= "200";
    // The simulator runs without rate limits here; real platforms keep the defaults.
    env.DESKGATE_VDI_RATE_PER_SEC ??= "0";
    env.DESKGATE_VDI_SET_PASSWORD ??= "true";
    env.DESKGATE_HPC_RATE_PER_SEC ??= "0";
  }

  // 5. Callback inbox. The dev allowlist opens its port alone: the simulator, the api, the
  // worker's metrics and PostgreSQL listen on 127.0.0.1 too (issue 17.4).
  const inbox = await startInbox({
    port: await portOr(Number(env.INBOX_PORT ?? 8099)),
    secrets: { "dev-admin key": devKey.signingSecret, global: secret },
    onCallback: (cb) => {
      const body = cb.body as { data?: Record<string, unknown>; status?: string; message?: string };
      const data = { ...body.data, ...(body.data?.password ? { password: "********" } : {}) };
      say(
        `[inbox] callback ${cb.headers["webhook-id"]} signature ${cb.verified ? "verified" : "INVALID"}: status ${body.status} ${JSON.stringify(data)}${body.message ? ` — ${body.message}` : ""}`,
      );
    },
  });
  env.DESKGATE_CALLBACK_ALLOWLIST ??= `127.0.0.1:${new URL(inbox.url).port}`;

  // 6. api and worker.
  const apiPort = await portOr(Number(env.PORT ?? 8080));
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  // The worker's own /metrics (0 = none, as in production).
  const workerMetricsPort =
    env.DESKGATE_WORKER_METRICS_PORT === "0"
      ? 0
      : await portOr(Number(env.DESKGATE_WORKER_METRICS_PORT ?? 9464));
  env.DESKGATE_WORKER_METRICS_PORT = String(workerMetricsPort);
  await launch("worker", "apps/worker/src/main.ts", env);
  await launch("api", "apps/api/src/main.ts", { ...env, PORT: String(apiPort) });
  await waitForHttp(`${apiUrl}/healthz`);

  say("");
  // Lets `pnpm deskgate …` find this stack's database while it runs.
  writeFileSync(runtimeFile, JSON.stringify({ databaseUrl: env.DATABASE_URL, apiUrl }), { mode: 0o600 });
  say("deskgate is running");
  say(`  API        ${apiUrl}            REST (/api/...), /healthz, /readyz`);
  say(`  Docs       ${apiUrl}/docs       the API reference (document: ${apiUrl}/openapi.json)`);
  say(`  tRPC       ${apiUrl}/trpc       the same operations for TypeScript apps (@deskgate/client)`);
  say(`  Ops        ${apiUrl}/ops        operator page (log in with the dev admin key)`);
  say(`  Metrics    ${apiUrl}/metrics    the api's Prometheus metrics`);
  say(
    workerMetricsPort
      ? `  Worker     http://127.0.0.1:${workerMetricsPort}/metrics    the worker's Prometheus metrics`
      : "  Worker     no metrics port (DESKGATE_WORKER_METRICS_PORT=0)",
  );
  say(`  Simulator  ${simUrl}            /_sim/state`);
  say(`  Inbox      ${inbox.url}/callbacks  receives and verifies callbacks (GET ${inbox.url} lists them)`);
  say(`  Database   ${databaseNote}`);
  say(`  ${devKey.line}`);
  say(`  its callbacks' signing secret: node -p 'require("${secretsFile}").devSigningSecret'`);
  say(
    env.DESKGATE_DEFAULT_PASSWORD === devSecrets.devDefaultPassword
      ? `  pwd-reset's default password ("password": ""): node -p 'require("${secretsFile}").devDefaultPassword'`
      : `  pwd-reset's default password ("password": ""): DESKGATE_DEFAULT_PASSWORD`,
  );
  say("");
  say("Open a desktop:");
  say(`  curl -s -X POST ${apiUrl}/api/desktop/apply -H 'content-type: application/json' \\`);
  say(`    -H "authorization: Bearer $(node -p 'require("${secretsFile}").devAdminKey')" \\`);
  say(`    -d '{"username":"demo","os":"win10","callback_url":"${inbox.url}/callbacks"}'`);
  say("Press Ctrl-C to stop.");
  say("");
}

/**
 * The dev admin API key and its own webhook signing secret: created on a fresh data folder,
 * the key printed once in full, both kept in dev-secrets.json (mode 600); later starts print
 * only the key's prefix. A database that lost them (a new DATABASE_URL) gets the same again.
 */
async function ensureDevAdminKey(
  db: Db,
  box: SecretBox,
  secretsFile: string,
): Promise<{ key: string; signingSecret: string; line: string }> {
  const secrets = JSON.parse(readFileSync(secretsFile, "utf8")) as {
    devAdminKey?: string;
    devSigningSecret?: string;
  };
  const fresh = !secrets.devAdminKey;
  const key = secrets.devAdminKey ?? generateApiKey();
  const signingSecret = secrets.devSigningSecret ?? generateWebhookSecret();
  if (fresh || !secrets.devSigningSecret) {
    writeFileSync(
      secretsFile,
      JSON.stringify({ ...secrets, devAdminKey: key, devSigningSecret: signingSecret }),
      {
        mode: 0o600,
      },
    );
  }
  const row = await findApiKey(db, key);
  if (!row) await ensureApiKey(db, { name: "dev-admin", key, scopes: ["admin"] });
  if (!row?.sealedSigningSecret || box.open(row.sealedSigningSecret) !== signingSecret) {
    await setSigningSecret(db, "dev-admin", box.seal(signingSecret));
  }
  return {
    key,
    signingSecret,
    line: fresh
      ? `dev admin key: ${key} (shown once; kept in ${secretsFile})`
      : `dev admin key: ${key.slice(0, 9)}… (see ${secretsFile})`,
  };
}

async function launch(name: string, script: string, childEnv: NodeJS.ProcessEnv) {
  const proc = spawn(process.execPath, [join(root, script)], {
    env: serviceProcessEnv(
      childEnv,
      join(dataDir, "node-compile-cache"),
      name === "worker" ? "worker" : "api",
    ),
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push({ name, proc });
  for (const stream of [proc.stdout, proc.stderr]) {
    createInterface({ input: stream! }).on("line", (line) => say(`[${name}] ${line}`));
  }
  proc.on("exit", (code, signal) => {
    if (!stopping) {
      say(`[${name}] exited unexpectedly (${signal ?? code}); stopping deskgate`);
      void shutdown(1);
    }
  });
}

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map(
      ({ proc }) =>
        new Promise<void>((done) => {
          if (proc.exitCode !== null || proc.signalCode !== null) return done();
          proc.once("exit", () => done());
          proc.kill("SIGTERM");
          setTimeout(() => proc.kill("SIGKILL"), 15_000).unref();
        }),
    ),
  );
  rmSync(runtimeFile, { force: true });
  if (stopDatabase) await stopDatabase();
  say("deskgate stopped");
  process.exit(code);
}

/** The preferred port if it is free, else any free one (0 = any). */
async function portOr(preferred: number): Promise<number> {
  if (preferred === 0) return freePort();
  const free = await new Promise<boolean>((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(preferred, "127.0.0.1", () => server.close(() => done(true)));
  });
  return free ? preferred : freePort();
}

async function waitForHttp(url: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${url} did not come up within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
main().catch((error) => {
  say(`deskgate failed to start: ${error instanceof Error ? error.message : String(error)}`);
  void shutdown(1);
});

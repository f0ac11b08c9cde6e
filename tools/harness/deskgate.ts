import { randomBytes } from "node:crypto";
import { createBoss, ensureQueues, runMigrations } from "@deskgate/db";
import { freePort } from "@deskgate/db/embedded";
import postgres from "postgres";
import { type Proc, startNode, waitForHttp } from "./procs.ts";
import { receiverAllowlist } from "./receiver.ts";
import { sleep, waitUntil } from "./time.ts";

/**
 * Secrets of one bench session: a random encryption key and bootstrap API key, and the AK/SK
 * the simulator verifies every Workspace call's signature with (the workers get the same).
 */
export const secrets = {
  encryptionKey: randomBytes(32).toString("base64"),
  apiKey: `dg_${randomBytes(32).toString("base64url")}`,
  vdiAccessKey: `SIMAK${randomBytes(8).toString("hex").toUpperCase()}`,
  vdiSecretKey: randomBytes(24).toString("base64url"),
};

/**
 * The environment of the harness's api and worker processes. The callback allowlist opens only
 * the ports of the receivers this process has open (`receiverAllowlist`: start the receiver
 * first), never all of 127.0.0.1 — the simulator, the apis and PostgreSQL listen there too.
 */
export function deskgateEnv(
  databaseUrl: string,
  simUrl: string,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: databaseUrl,
    DESKGATE_ENCRYPTION_KEY: secrets.encryptionKey,
    DESKGATE_BOOTSTRAP_API_KEY: secrets.apiKey,
    DESKGATE_VDI_URL: simUrl,
    DESKGATE_VDI_AUTH: "aksk",
    DESKGATE_VDI_AK: secrets.vdiAccessKey,
    DESKGATE_VDI_SK: secrets.vdiSecretKey,
    DESKGATE_HPC_URL: simUrl,
    DESKGATE_UPSTREAM_ALLOWLIST: "127.0.0.1/32", // the simulator's centre names its own origin
    DESKGATE_UPSTREAM_ALLOW_HTTP: "true",
    DESKGATE_VDI_RATE_PER_SEC: "0",
    DESKGATE_HPC_RATE_PER_SEC: "0",
    DESKGATE_VDI_POLL_INTERVAL_MS: "10", // the simulator ends a platform job in ~2 ms
    DESKGATE_VDI_SET_PASSWORD: "true",
    DESKGATE_CALLBACK_ALLOWLIST: receiverAllowlist(),
    DESKGATE_RATE_LIMIT_PER_MINUTE: "100000000",
    DESKGATE_LOG_LEVEL: "warn",
    DESKGATE_WORKER_METRICS_PORT: "0", // several workers, and other people's stacks on this machine
    ...extra,
  };
}

export interface Sim {
  url: string;
  proc: Proc;
  reset(): Promise<void>;
  faults(config: Record<string, unknown>): Promise<void>;
  stats(): Promise<{ requests: number; throttled: number; faults_injected: number }>;
  /** `GET /_sim/state`: users (with passwords), desktops, volumes, jobs, tokens, stats. */
  state(): Promise<SimStateView>;
}

/** The parts of the simulator's `/_sim/state` the harness reads. */
export interface SimStateView {
  users: { id: string; user_name: string; password: string }[];
  desktops: { desktop_id: string; computer_name: string; user_name: string; status: string }[];
  volumes: { id: string; desktop_id: string; bootable: boolean }[];
  stats: { requests: number; throttled: number; faults_injected: number };
}

export async function startSim(jobPhaseMs: number): Promise<Sim> {
  const port = await freePort();
  const proc = startNode("sim", "tools/harness/sim-main.ts", {
    PATH: process.env.PATH,
    PORT: String(port),
    SIM_JOB_PHASE_MS: String(jobPhaseMs),
    SIM_ACCESS_KEY: secrets.vdiAccessKey,
    SIM_SECRET_KEY: secrets.vdiSecretKey,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/_sim/faults`, proc);
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`sim ${path}: ${res.status} ${await res.text()}`);
    await res.body?.cancel();
  };
  const state = async () => {
    const res = await fetch(`${url}/_sim/state`);
    return (await res.json()) as SimStateView;
  };
  return {
    url,
    proc,
    state,
    reset: () => post("/_sim/reset", {}),
    faults: (config) => post("/_sim/faults", config),
    stats: async () => (await state()).stats,
  };
}

export interface Api {
  url: string;
  proc: Proc;
}

/** Ports of the api processes this harness started that are still running. */
const apiPorts = new Map<number, Proc>();

/**
 * Every harness api listens on a port of its own, so its `PORT` is not the one the other
 * processes read: they get the running apis' ports in `DESKGATE_OWN_PORTS`, which deskgate
 * refuses as callback targets on this host like its own `PORT` (issue 17.4).
 */
function withApiPorts(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  for (const [port, proc] of apiPorts) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) apiPorts.delete(port);
  }
  const ports = [env.DESKGATE_OWN_PORTS, ...[...apiPorts.keys()].map(String)].filter(Boolean);
  return { ...env, DESKGATE_OWN_PORTS: ports.join(",") };
}

export async function startApi(env: NodeJS.ProcessEnv, name = "api"): Promise<Api> {
  const port = await freePort();
  const proc = startNode(name, "apps/api/src/main.ts", { ...withApiPorts(env), PORT: String(port) });
  apiPorts.set(port, proc);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, proc);
  return { url, proc };
}

/**
 * Worker processes, at `warn` (at `info` they log every task), named `<name>1`…, or `name`
 * alone for a single one. Ready when each holds its LISTEN connection for new jobs, seen in
 * pg_stat_activity (counted on top of the ones already there).
 */
export async function startWorkers(env: NodeJS.ProcessEnv, count: number, name?: string): Promise<Proc[]> {
  const sql = postgres(env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  const listening = async () => {
    const [row] = await sql`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and application_name = 'deskgate-worker'
      and query ilike 'listen%'`;
    return (row?.n as number | undefined) ?? 0;
  };
  const before = await listening();
  const procs = Array.from({ length: count }, (_, i) =>
    startNode(
      name && count === 1 ? name : `${name ?? "worker"}${i + 1}`,
      "apps/worker/src/main.ts",
      withApiPorts(env),
    ),
  );
  try {
    await waitUntil(
      `${count} worker(s) listening`,
      async () => {
        for (const p of procs)
          if (p.child.exitCode !== null)
            throw new Error(`${p.name} exited:\n${p.lines.slice(-15).join("\n")}`);
        return (await listening()) >= before + count;
      },
      60_000,
      100,
    );
  } finally {
    await sql.end();
  }
  await sleep(300); // work() registers right after start
  return procs;
}

export const authHeaders = () => ({
  authorization: `Bearer ${secrets.apiKey}`,
  "content-type": "application/json",
});

/** A group name unique to one request, so every apply creates a fresh `<group>_01`. */
export function uniqueGroup(): string {
  return `b${randomBytes(6).toString("hex")}`;
}

/**
 * A fresh deskgate database: migrated, and pg-boss's queues created. The api does not create
 * the queues (only the worker's start does), so without this an api started before any
 * worker answers every apply with 500 — see the defect in bench/README.md.
 */
export async function prepareDatabase(url: string): Promise<void> {
  await runMigrations(url);
  const boss = createBoss(url, { supervise: false, schedule: false });
  boss.on("error", () => {});
  await boss.start();
  await ensureQueues(boss);
  await boss.stop({ graceful: false });
}

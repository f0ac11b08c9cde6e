import postgres from "postgres";
import {
  type Api,
  deskgateEnv,
  prepareDatabase,
  secrets,
  startApi,
  startWorkers,
} from "../../tools/harness/deskgate.ts";
import type { Proc } from "../../tools/harness/procs.ts";
import type { DrillCtx, Sql } from "./context.ts";
import { LEASE_ENV } from "./leases.ts";

/** One drill's deskgate: a fresh database, its api and worker processes, a connection for checks. */
export interface Stack {
  databaseUrl: string;
  sql: Sql;
  env: NodeJS.ProcessEnv;
  apis: Api[];
  workers: Proc[];
  /** Start one more worker (e.g. after a `kill -9`), named `<drill>-worker<n>`. */
  addWorker(): Promise<Proc>;
  /** `kill -9` the newest worker (it leaves `workers`). */
  kill9Worker(): Promise<Proc>;
  /** Names of api and worker processes that exited without being asked to. */
  crashed(): string[];
  stop(): Promise<void>;
}

export interface StackOptions {
  apis?: number;
  workers?: number;
  /** Extra environment for every process (overrides the drill defaults). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Drill defaults on top of the bench's: logs at `info` (the secrets audit reads them), the run's
 * webhook secret, the shortened callback schedule (an hour is 7.2 s), upstream calls that time
 * out after 2 s, synchronous requests that wait at most 10 s, and lease windows of seconds
 * (the notice 6 s before a lease's end, the delete 8 s after it; `LEASE_ENV`).
 */
export async function startStack(ctx: DrillCtx, drill: string, opts: StackOptions = {}): Promise<Stack> {
  const databaseUrl = await ctx.cluster.freshDatabase(drill);
  ctx.databases.push(databaseUrl);
  await prepareDatabase(databaseUrl);
  const env = deskgateEnv(databaseUrl, ctx.sim.url, {
    DESKGATE_LOG_LEVEL: "info",
    DESKGATE_WEBHOOK_SECRET: ctx.webhookSecret,
    DESKGATE_CALLBACK_RETRY_SCALE: "0.002",
    DESKGATE_UPSTREAM_TIMEOUT_MS: "2000",
    DESKGATE_SYNC_TIMEOUT_MS: "10000",
    ...LEASE_ENV,
    ...opts.env,
  });
  ctx.secrets.add(secrets.apiKey);
  ctx.secrets.add(ctx.webhookSecret);
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  const apis: Api[] = [];
  for (let i = 0; i < (opts.apis ?? 1); i++) apis.push(await startApi(env, `${drill}-api${i + 1}`));
  let started = 0;
  const workers: Proc[] = [];
  const addWorker = async () => {
    started++;
    const [proc] = await startWorkers(env, 1, `${drill}-worker${started}`);
    workers.push(proc!);
    return proc!;
  };
  for (let i = 0; i < (opts.workers ?? 1); i++) await addWorker();
  return {
    databaseUrl,
    sql,
    env,
    apis,
    workers,
    addWorker,
    async kill9Worker() {
      const victim = workers.pop()!;
      await victim.kill9();
      return victim;
    },
    crashed: () =>
      [...apis.map((a) => a.proc), ...workers, ctx.sim.proc]
        .filter((p) => p.child.exitCode !== null || p.child.signalCode !== null)
        .map((p) => `${p.name}: ${p.lines.slice(-3).join(" / ").slice(0, 400)}`),
    async stop() {
      await Promise.all([...apis.map((a) => a.proc.stop()), ...workers.map((w) => w.stop())]);
      await sql.end({ timeout: 5 });
    },
  };
}

/** Shared bits of the floor processes: the table, the queue, and a pg-boss adapter for a postgres.js tx. */
import { PgBoss } from "pg-boss";
import type { Sql, TransactionSql } from "postgres";

export const QUEUE = "floor";

export async function ensureTable(sql: Sql): Promise<void> {
  await sql`create table if not exists floor_tasks (
    id uuid primary key, request jsonb not null, state text not null default 'queued',
    created_at timestamptz not null default now())`;
}

/** pg-boss in the best measured shape (PERF.md): LISTEN/NOTIFY, queue `notify`. */
export async function startBoss(url: string, listen: boolean): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: url,
    application_name: "floor-queue",
    useListenNotify: listen,
    supervise: listen,
    schedule: false,
    max: 4,
  });
  boss.on("error", (err: Error) => console.error(`pg-boss: ${err.message}`));
  await boss.start();
  if (!(await boss.getQueue(QUEUE))) await boss.createQueue(QUEUE, { notify: true }).catch(() => {});
  return boss;
}

/** Lets `boss.send(..., { db })` run inside a postgres.js transaction. */
export function txAdapter(tx: TransactionSql) {
  return {
    executeSql: async (text: string, values: unknown[] = []) => ({
      rows: Array.from(await tx.unsafe(text, values as never[])),
    }),
  };
}

export function workOptions() {
  return {
    batchSize: 20,
    burstWhenBatchFull: true,
    pollingIntervalSeconds: 0.5,
    notifyPollingIntervalSeconds: 0.5,
  };
}

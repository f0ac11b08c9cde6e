import { JobCatalog, type JobPayload, type QueueName } from "@deskgate/contracts";
import { sql as drizzleSql } from "drizzle-orm";
import { type ConstructorOptions, fromDrizzle, PgBoss, type SendOptions } from "pg-boss";
import type { Executor } from "./client.ts";

export type { Job } from "pg-boss";
export { PgBoss } from "pg-boss";

/**
 * pg-boss settings, chosen deliberately (docs/operations.md explains them):
 * - no LISTEN of pg-boss's own: it only wakes `work()` loops, which deskgate does not use. The
 *   worker's dispatcher LISTENs on pg-boss's channel itself; the NOTIFY at insert time comes
 *   from the queues' `notify` option (`ensureQueues`) and does not depend on this setting.
 * - supervise/monitor every 5 s with 10 s heartbeats: a job whose worker was killed is
 *   picked up again after ~15 s instead of the 15-minute default expiry.
 */
export function createBoss(url: string, extra: Partial<ConstructorOptions> = {}): PgBoss {
  const boss = new PgBoss({
    connectionString: url,
    application_name: "deskgate-queue",
    useListenNotify: false,
    superviseIntervalSeconds: 5,
    monitorIntervalSeconds: 5,
    max: 4,
    ...extra,
  });
  return boss;
}

/** Create (or update) every queue of the catalog. Idempotent; run at start. */
export async function ensureQueues(boss: PgBoss): Promise<void> {
  for (const [name, entry] of Object.entries(JobCatalog)) {
    const options = { ...entry.policy, notify: true };
    const existing = await boss.getQueue(name);
    if (existing) await boss.updateQueue(name, options);
    else await boss.createQueue(name, options);
  }
  await ensureQueueView(boss);
}

/**
 * Enqueue a catalog job inside the caller's drizzle transaction, so the job exists if and
 * only if the transaction commits.
 */
export async function enqueue<Q extends QueueName>(
  boss: PgBoss,
  tx: Executor,
  queue: Q,
  payload: JobPayload<Q>,
  options: Omit<SendOptions, "db"> = {},
): Promise<string | null> {
  const data = JobCatalog[queue].payload.parse(payload);
  return boss.send(queue, data, { ...options, db: fromDrizzle(tx, drizzleSql) });
}

/**
 * Queue depth by kind and state, over pg-boss's own job table. Created after pg-boss has
 * installed its schema (so not in a migration).
 */
export async function ensureQueueView(boss: PgBoss): Promise<void> {
  const ddl = `create or replace view ops_queue_depth as
     select name as queue, state, count(*)::int as jobs, min(created_on) as oldest_created_on
     from pgboss.job group by name, state`;
  try {
    await boss.getDb().executeSql(ddl, []);
  } catch {
    // Several processes starting at once can collide ("tuple concurrently updated"): once more.
    await boss.getDb().executeSql(ddl, []);
  }
}

import { randomUUID } from "node:crypto";
import { JobCatalog, type QueueName } from "@deskgate/contracts";
import { sql } from "drizzle-orm";
import { fromDrizzle, type PgBoss } from "pg-boss";
import type { Database, Tx } from "./client.ts";
import type { IdempotencyScope } from "./queries/idempotency.ts";
import { idempotencyKeys } from "./schema/api-keys.ts";
import { tasks } from "./schema/tasks.ts";

/** A task to accept: its row, its job, and (with an Idempotency-Key) the key's claim. */
export interface IntakeEntry {
  task: {
    id: string;
    kind: Exclude<QueueName, "callback.deliver">;
    request: unknown;
    callbackUrl: string | null;
    apiKeyId: string | null;
  };
  idempotency?: IdempotencyScope & {
    fingerprint: string;
    ttlSeconds: number;
    /** Known already (async answers): stored at once as `done`. */
    response?: { status: number; body: string | null; sealed: string | null };
  };
}

export interface Intake {
  /**
   * Commit the entry's idempotency claim, task row and job together. Resolves `true` once
   * committed, `false` when the Idempotency-Key is already claimed (nothing written for
   * this entry); rejects when the commit failed (nothing written for this entry either).
   */
  submit(entry: IntakeEntry): Promise<boolean>;
}

interface Pending {
  entry: IntakeEntry;
  claimId: string;
  resolve(claimed: boolean): void;
  reject(error: unknown): void;
}

/**
 * Group commit for accepted tasks. Requests that arrive while a commit is in flight wait for
 * it and then go together in the next transaction: one multi-row INSERT of idempotency claims,
 * one of tasks, one pg-boss `insert` per queue, one COMMIT — a handful of round trips for the
 * whole group instead of per request. Nobody waits for a timer: a lone request commits at
 * once. Every caller is answered only after its transaction committed. If a group's
 * transaction fails, its entries are committed again one by one, so one bad entry (or a
 * deadlock between two api processes) fails only itself.
 */
export function createIntake(
  database: Database,
  boss: PgBoss,
  opts: { maxBatch?: number; onCommit?: (size: number) => void } = {},
): Intake {
  const maxBatch = opts.maxBatch ?? 256;
  let waiting: Pending[] = [];
  let flushing = false;

  const flush = async () => {
    flushing = true;
    while (waiting.length > 0) {
      const group = waiting.length <= maxBatch ? waiting : waiting.slice(0, maxBatch);
      waiting = waiting.length <= maxBatch ? [] : waiting.slice(maxBatch);
      await commitGroup(group);
    }
    flushing = false;
  };

  const commitGroup = async (group: Pending[]) => {
    try {
      const claimed = await database.db.transaction((tx) => writeGroup(tx, boss, group));
      opts.onCommit?.(group.length);
      for (const p of group) p.resolve(claimed.has(p));
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      for (const p of group) await commitGroup([p]);
    }
  };

  return {
    submit(entry) {
      const { promise, resolve, reject } = Promise.withResolvers<boolean>();
      waiting.push({ entry, claimId: randomUUID(), resolve, reject });
      if (!flushing) void flush();
      return promise;
    },
  };
}

async function writeGroup(tx: Tx, boss: PgBoss, group: Pending[]): Promise<Set<Pending>> {
  let fresh = group;
  const keyed = group.filter((p) => p.entry.idempotency);
  if (keyed.length > 0) {
    // One order for every group, so two transactions never wait on each other's keys.
    keyed.sort((a, b) => compareScopes(a.entry.idempotency!, b.entry.idempotency!));
    const rows = await tx
      .insert(idempotencyKeys)
      .values(
        keyed.map((p) => {
          const i = p.entry.idempotency!;
          return {
            id: p.claimId,
            apiKeyId: i.apiKeyId,
            method: i.method,
            path: i.path,
            key: i.key,
            fingerprint: i.fingerprint,
            taskId: p.entry.task.id,
            state: i.response ? "done" : "in_progress",
            responseStatus: i.response?.status ?? null,
            responseBody: i.response?.body ?? null,
            responseSealed: i.response?.sealed ?? null,
            expiresAt: sql`now() + make_interval(secs => ${i.ttlSeconds})`,
          };
        }),
      )
      .onConflictDoNothing()
      .returning({ id: idempotencyKeys.id });
    const won = new Set(rows.map((r) => r.id));
    fresh = group.filter((p) => !p.entry.idempotency || won.has(p.claimId));
  }
  if (fresh.length === 0) return new Set();

  await tx.insert(tasks).values(
    fresh.map(({ entry: { task } }) => ({
      id: task.id,
      kind: task.kind,
      request: task.request,
      callbackUrl: task.callbackUrl,
      apiKeyId: task.apiKeyId,
    })),
  );
  const byQueue = new Map<QueueName, { data: object }[]>();
  for (const { entry } of fresh) {
    const data: object = JobCatalog[entry.task.kind].payload.parse({ task_id: entry.task.id });
    const jobs = byQueue.get(entry.task.kind) ?? [];
    jobs.push({ data });
    byQueue.set(entry.task.kind, jobs);
  }
  const db = fromDrizzle(tx, sql);
  for (const [queue, jobs] of byQueue) await boss.insert(queue, jobs, { db });
  return new Set(fresh);
}

function compareScopes(a: IdempotencyScope, b: IdempotencyScope): number {
  return cmp(a.apiKeyId, b.apiKeyId) || cmp(a.method, b.method) || cmp(a.path, b.path) || cmp(a.key, b.key);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

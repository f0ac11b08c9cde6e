import { randomUUID } from "node:crypto";
import { JobCatalog, type QueueName } from "@deskgate/contracts";
import type { PgBoss } from "pg-boss";
import type postgres from "postgres";
import type { Database } from "./client.ts";
import type { IdempotencyScope } from "./queries/idempotency.ts";

/** A task to accept: its row, its job, and (with an Idempotency-Key) the key's claim. */
export interface IntakeEntry {
  task: {
    id: string;
    kind: Exclude<QueueName, "callback.deliver">;
    request: unknown;
    callbackUrl: string | null;
    apiKeyId: string | null;
    /** The caller's tenant (docs/api.md, "Tenants"): what the task makes belongs to it. */
    tenant?: string | null;
    /** The accepting request's X-Request-Id (issue 16.5). */
    requestId?: string | null;
    /** Approval metadata of the request (issue 14), kept in their own columns for search. */
    ticketId?: string | null;
    requester?: string | null;
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
 * it and then go together in the next transaction: one statement for the idempotency claims
 * and task rows, one pg-boss `insert` per queue, one COMMIT — four round trips for the whole
 * group instead of several per request. Nobody waits for a timer: a lone request commits at
 * once. Every caller is answered only after its transaction committed. If a group's
 * transaction fails on a statement, its entries are committed again one by one, so one bad
 * entry (or a deadlock between two api processes) fails only itself; when the database is
 * unreachable the whole group fails at once (the api answers 503), nobody waits longer.
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
      const claimed = await database.sql.begin((tx) => writeGroup(tx, boss, group));
      opts.onCommit?.(group.length);
      for (const p of group) p.resolve(claimed.has(p));
    } catch (error) {
      if (group.length === 1 || !isStatementError(error)) {
        for (const p of group) p.reject(error);
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

/**
 * Claims and tasks in one statement: the claims are inserted in one order (so two
 * transactions never wait on each other's keys), and a task row is written only for an
 * entry without a key or whose claim won. Then the winners' jobs, through pg-boss's own
 * insert statement, prepared on the connection (its text is fixed per queue).
 */
async function writeGroup(
  tx: postgres.TransactionSql,
  boss: PgBoss,
  group: Pending[],
): Promise<Set<Pending>> {
  const rows = group.map(({ entry: { task, idempotency: i }, claimId }) => ({
    claim_id: claimId,
    task_id: task.id,
    kind: task.kind,
    request: task.request,
    callback_url: task.callbackUrl,
    api_key_id: task.apiKeyId,
    tenant: task.tenant ?? null,
    request_id: task.requestId ?? null,
    ticket_id: task.ticketId ?? null,
    requester: task.requester ?? null,
    ...(i && {
      i_api_key_id: i.apiKeyId,
      i_method: i.method,
      i_path: i.path,
      i_key: i.key,
      i_fingerprint: i.fingerprint,
      i_ttl: i.ttlSeconds,
      i_status: i.response?.status ?? null,
      i_body: i.response?.body ?? null,
      i_sealed: i.response?.sealed ?? null,
    }),
  }));
  const written = await tx.unsafe<{ id: string }[]>(ACCEPT_SQL, [JSON.stringify(rows)], { prepare: true });
  const won = new Set(written.map((r) => r.id));
  const fresh = group.filter((p) => won.has(p.entry.task.id));

  const byQueue = new Map<QueueName, { data: object }[]>();
  for (const { entry } of fresh) {
    const data: object = JobCatalog[entry.task.kind].payload.parse({ task_id: entry.task.id });
    const jobs = byQueue.get(entry.task.kind) ?? [];
    jobs.push({ data });
    byQueue.set(entry.task.kind, jobs);
  }
  const db = {
    executeSql: async (text: string, values: unknown[] = []) => ({
      rows: await tx.unsafe(text, values as postgres.ParameterOrJSON<never>[], { prepare: true }),
    }),
  };
  for (const [queue, jobs] of byQueue) await boss.insert(queue, jobs, { db });
  return new Set(fresh);
}

const ACCEPT_SQL = `
with input as (
  select * from json_to_recordset($1::json) as x(
    claim_id uuid, task_id uuid, kind text, request jsonb, callback_url text, api_key_id uuid,
    tenant text, request_id text, ticket_id text, requester text,
    i_api_key_id uuid, i_method text, i_path text, i_key text, i_fingerprint text, i_ttl int,
    i_status int, i_body text, i_sealed text)
),
claims as (
  insert into idempotency_keys (id, api_key_id, method, path, key, fingerprint, task_id, state,
    response_status, response_body, response_sealed, expires_at)
  select claim_id, i_api_key_id, i_method, i_path, i_key, i_fingerprint, task_id,
    case when i_status is null then 'in_progress' else 'done' end,
    i_status, i_body, i_sealed, now() + make_interval(secs => i_ttl)
  from input where i_key is not null
  order by i_api_key_id, i_method, i_path, i_key
  on conflict do nothing
  returning task_id
)
insert into tasks (id, kind, request, callback_url, api_key_id, tenant, request_id, ticket_id, requester)
select task_id, kind, request, callback_url, api_key_id, tenant, request_id, ticket_id, requester from input
where i_key is null or task_id in (select task_id from claims)
returning id`;

/**
 * A statement the server refused (constraint, deadlock, bad value): worth retrying the group's
 * entries one by one. Not so for connection loss, shutdown or exhausted resources (SQLSTATE
 * classes 08, 53, 57, 58) or errors without a SQLSTATE (refused, timed out, closed).
 */
function isStatementError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && !/^(08|53|57|58)/.test(code);
}

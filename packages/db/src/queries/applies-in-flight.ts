import { sql } from "drizzle-orm";
import type { Executor } from "../client.ts";

/**
 * Applies accepted but not yet on the platform, and how a quota read relates to them.
 *
 * An apply's desktop counts in the platform's quota `used` once the platform accepted its
 * create request; the worker records that as `progress.jobId` (or `progress.desktopId`, when
 * an earlier run's desktop was found) right after. So at any moment the desktops deskgate owes
 * the platform but the platform does not count yet are the applies with neither.
 *
 * A quota read is cached for a few seconds, during which such applies reach the platform: to
 * count each once, the set of applies pending at the read (`pendingAppliesNow`, taken just
 * before it) travels with the read, and `appliesNotInQuota` counts what the read does not show:
 * applies pending now, applies that were pending at the read (requested or succeeded since:
 * their desktop was not in it), and applies committed after the read — those created in the
 * last `SLACK` before it that the read did not see (a commit that overlapped it), and all
 * created since. Nothing is counted twice. Failed and cancelled applies rolled their desktop
 * back and count nowhere.
 */
export interface PendingApplies {
  /** Applies not yet requested from the platform at the read. */
  ids: string[];
  /** Every apply created within `SLACK` before the read that it saw. */
  seen: string[];
  /** The database's clock when the set was taken. */
  at: Date;
}

/** Longer than any transaction that inserts a task (they are single group commits). */
const SLACK = sql`interval '5 seconds'`;

const NOT_REQUESTED = sql`not (progress ? 'jobId' or progress ? 'desktopId')`;

export async function pendingAppliesNow(db: Executor): Promise<PendingApplies> {
  const rows = await db.execute<{ ids: string[]; seen: string[]; at: string | Date }>(sql`
    select (select coalesce(array_agg(id::text), '{}') from tasks
             where state in ('queued', 'running') and kind = 'desktop.apply' and ${NOT_REQUESTED}) as ids,
           (select coalesce(array_agg(id::text), '{}') from tasks
             where state in ('queued', 'running', 'succeeded', 'failed', 'cancelled')
               and created_at >= now() - ${SLACK} and kind = 'desktop.apply') as seen,
           now() as at`);
  const row = rows[0]!;
  return { ids: row.ids, seen: row.seen, at: new Date(row.at) };
}

const uuids = (ids: string[]) => sql`${`{${ids.join(",")}}`}::uuid[]`;

/** Applies the quota read taken with `pending` does not count yet, by requested os. */
export async function appliesNotInQuota(
  db: Executor,
  pending: PendingApplies,
): Promise<Record<string, number>> {
  const rows = await db.execute<{ os: string; n: number }>(sql`
    select os, count(*)::int as n from (
      select id, request->>'os' as os from tasks
       where state in ('queued', 'running') and kind = 'desktop.apply' and ${NOT_REQUESTED}
      union
      select id, request->>'os' from tasks
       where id = any(${uuids(pending.ids)}) and state in ('queued', 'running', 'succeeded')
      union
      select id, request->>'os' from tasks
       where state in ('queued', 'running', 'succeeded') and kind = 'desktop.apply'
         and created_at >= ${pending.at.toISOString()}::timestamptz - ${SLACK}
         and not (id = any(${uuids(pending.seen)}))
    ) owed
    group by os`);
  return Object.fromEntries(rows.map((r) => [r.os, r.n]));
}

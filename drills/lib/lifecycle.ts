import { callbackFigures, countLost, type TaskState, waitCallbacks, waitTerminal } from "./checks.ts";
import type { DrillCtx, Sql } from "./context.ts";
import { call, lanes, type Tally } from "./http.ts";
import type { Stack } from "./stack.ts";

/** The lifecycle kinds a drill drives, one per desktop, in turn. */
export const LIFECYCLE_OPS = [
  "desktop.power",
  "desktop.rebuild",
  "user.lock",
  "desktop.delete",
  "user.offboard",
] as const;
export type LifecycleOp = (typeof LIFECYCLE_OPS)[number];

export interface LifecycleTask {
  id: string;
  op: LifecycleOp;
  desktop: string;
  username: string;
}

/** A desktop an apply made: its own fresh user (`applyBody` uses a fresh group each time). */
export interface Made {
  desktop_uuid: string;
  username: string;
}

function request(op: LifecycleOp, d: Made, callbackUrl: string): [string, Record<string, unknown>] {
  switch (op) {
    case "desktop.power":
      return [
        "/api/desktop/power",
        { desktop_uuid: d.desktop_uuid, action: "reboot", type: "soft", callback_url: callbackUrl },
      ];
    case "desktop.rebuild":
      return ["/api/desktop/rebuild", { desktop_uuid: d.desktop_uuid, callback_url: callbackUrl }];
    case "user.lock":
      return ["/api/user/lock", { username: d.username, callback_url: callbackUrl }];
    case "desktop.delete":
      return [
        "/api/desktop/delete",
        { desktop_uuid: d.desktop_uuid, delete_user_if_last: true, callback_url: callbackUrl },
      ];
    case "user.offboard":
      return ["/api/user/offboard", { username: d.username, callback_url: callbackUrl }];
    default: {
      const never: never = op;
      throw new Error(`unknown op ${never}`);
    }
  }
}

/** The desktops succeeded applies made (from their task rows). */
export function madeBy(rows: TaskState[]): Made[] {
  return rows
    .filter((r) => r.kind === "desktop.apply" && r.state === "succeeded" && r.result?.desktop_uuid)
    .map((r) => ({ desktop_uuid: r.result.desktop_uuid, username: r.result.username }));
}

/** One lifecycle request per desktop (power, rebuild, lock, delete, offboard in turn), through the stack's apis. */
export async function submitLifecycle(
  stack: Stack,
  tally: Tally,
  desktops: Made[],
  callbackUrl: string,
  concurrency = 10,
): Promise<LifecycleTask[]> {
  const acked: LifecycleTask[] = [];
  await lanes(desktops.length, concurrency, async (i) => {
    const d = desktops[i]!;
    const op = LIFECYCLE_OPS[i % LIFECYCLE_OPS.length]!;
    const [path, body] = request(op, d, callbackUrl);
    const answer = await call(tally, stack.apis[i % stack.apis.length]!.url, "POST", path, { body });
    if (answer.status === 200)
      acked.push({ id: answer.json.data.task_id, op, desktop: d.desktop_uuid, username: d.username });
    else tally.note(`${path} → ${answer.status} ${answer.text}`);
  });
  return acked;
}

interface SimJobs {
  desktops: { desktop_id: string; user_name: string }[];
  users: { user_name: string; locked?: boolean }[];
  jobs: { job_type: string; sub_jobs: { entities: { desktop_id?: string } }[] }[];
}

/**
 * Wait (bounded) until every lifecycle task is terminal with its callback, then the figures:
 * - lost: no row, not terminal, or no callback;
 * - duplicated: two callback events for one task, or a desktop rebuilt twice by one task;
 * - orphaned: what a succeeded delete or offboard reports removed but the platform (or
 *   deskgate's mirror) still has — a desktop, its user (offboard; delete_user_if_last of a
 *   user's only desktop), a mirror row.
 */
export async function settleLifecycle(
  ctx: DrillCtx,
  stack: Stack,
  sql: Sql,
  tasks: LifecycleTask[],
  settleMs: number,
) {
  const ids = tasks.map((t) => t.id);
  const rows = await waitTerminal(sql, ids, settleMs, stack);
  const missing = await waitCallbacks(ctx.receiver, ids, 20_000, stack);
  const callbacks = callbackFigures(ctx.receiver, new Set(ids));
  const state = (await (await fetch(`${ctx.sim.url}/_sim/state`)).json()) as SimJobs;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const succeeded = tasks.filter((t) => byId.get(t.id)?.state === "succeeded");

  const rebuilds = new Map<string, number>();
  for (const j of state.jobs.filter((j) => j.job_type === "rebuildDesktops")) {
    for (const s of j.sub_jobs) {
      const id = s.entities.desktop_id;
      if (id) rebuilds.set(id, (rebuilds.get(id) ?? 0) + 1);
    }
  }
  const rebuiltTwice = tasks.filter((t) => t.op === "desktop.rebuild" && (rebuilds.get(t.desktop) ?? 0) > 1);

  const desktopsUp = new Set(state.desktops.map((d) => d.desktop_id));
  const usersUp = new Set(state.users.map((u) => u.user_name));
  const mirrorDesktops = new Set(
    ((await sql`select desktop_uuid from desktops`) as unknown as { desktop_uuid: string }[]).map(
      (r) => r.desktop_uuid,
    ),
  );
  const mirrorUsers = new Set(
    ((await sql`select username from vdi_users`) as unknown as { username: string }[]).map((r) => r.username),
  );
  const orphans: string[] = [];
  for (const t of succeeded.filter((t) => t.op === "desktop.delete" || t.op === "user.offboard")) {
    if (desktopsUp.has(t.desktop)) orphans.push(`desktop ${t.desktop} (${t.op})`);
    if (mirrorDesktops.has(t.desktop)) orphans.push(`mirror desktop ${t.desktop} (${t.op})`);
    if (usersUp.has(t.username)) orphans.push(`user ${t.username} (${t.op})`);
    if (mirrorUsers.has(t.username)) orphans.push(`mirror user ${t.username} (${t.op})`);
  }
  const failed = rows.filter((r) => r.state !== "succeeded");
  return {
    rows,
    missing,
    failed,
    orphans,
    unverified: callbacks.unverified,
    figures: {
      lost: countLost(ids, rows, ctx.receiver),
      duplicated: callbacks.duplicated + rebuiltTwice.length,
      orphaned: orphans.length,
      succeeded: succeeded.length,
      failed: failed.length,
    },
  };
}

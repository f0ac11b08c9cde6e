import type { Sim, SimStateView } from "../../tools/harness/deskgate.ts";
import type { Receiver } from "../../tools/harness/receiver.ts";
import { sleep } from "../../tools/harness/time.ts";
import type { DrillCtx, Sql } from "./context.ts";

export interface TaskState {
  id: string;
  kind: string;
  state: string;
  error: string | null;
  attempts: number;
  // biome-ignore lint/suspicious/noExplicitAny: jsonb read loosely
  result: any;
}

export const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

export async function readTasks(sql: Sql, ids: string[]): Promise<TaskState[]> {
  if (ids.length === 0) return [];
  return (await sql`select id, kind, state, error, attempts, result from tasks
    where id = any(${ids}::uuid[])`) as unknown as TaskState[];
}

/**
 * Wait (bounded) until every task is terminal; returns the rows as they are at the end.
 * Gives up at once when a process of the stack crashed.
 */
export async function waitTerminal(
  sql: Sql,
  ids: string[],
  timeoutMs: number,
  stack?: { crashed(): string[] },
): Promise<TaskState[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const crashed = stack?.crashed() ?? [];
    if (crashed.length > 0) throw new Error(`crashed: ${crashed.join("; ")}`);
    const rows = await readTasks(sql, ids);
    const done = rows.length === ids.length && rows.every((r) => TERMINAL.has(r.state));
    if (done || performance.now() > deadline) return rows;
    await sleep(500);
  }
}

/**
 * Wait (bounded) until a callback answered 200 arrived for every task id; returns how many are
 * missing. Gives up at once when a process of the stack crashed.
 */
export async function waitCallbacks(
  receiver: Receiver,
  ids: string[],
  timeoutMs: number,
  stack?: { crashed(): string[] },
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  const missing = () => ids.filter((id) => !receiver.arrivals.has(id)).length;
  while (missing() > 0 && performance.now() < deadline) {
    const crashed = stack?.crashed() ?? [];
    if (crashed.length > 0) throw new Error(`crashed: ${crashed.join("; ")}`);
    await sleep(200);
  }
  return missing();
}

export const isTerminal = (t: TaskState) => TERMINAL.has(t.state);

/**
 * Acknowledged tasks that are lost: no row, not terminal by the end, or (when they asked for
 * one) no callback at the receiver.
 */
export function countLost(acked: string[], rows: TaskState[], receiver: Receiver | null): number {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return acked.filter((id) => {
    const row = byId.get(id);
    return !row || !isTerminal(row) || (receiver !== null && !receiver.arrivals.has(id));
  }).length;
}

/**
 * Callbacks by task: `duplicated` = tasks that got more than one distinct `webhook-id` (two
 * callback events = the task ended twice); `redelivered` = the same `webhook-id` answered 200
 * more than once (at-least-once delivery after a crash: allowed, reported).
 */
export function callbackFigures(receiver: Receiver, ids: Set<string>) {
  const idsByTask = new Map<string, Set<string>>();
  const okByWebhook = new Map<string, number>();
  let unverified = 0;
  for (const d of receiver.deliveries) {
    if (!d.taskId || !ids.has(d.taskId)) continue;
    const set = idsByTask.get(d.taskId) ?? new Set();
    set.add(d.webhookId);
    idsByTask.set(d.taskId, set);
    if (d.answered === 200) okByWebhook.set(d.webhookId, (okByWebhook.get(d.webhookId) ?? 0) + 1);
    if (d.verified === false) unverified++;
  }
  return {
    duplicated: [...idsByTask.values()].filter((s) => s.size > 1).length,
    redelivered: [...okByWebhook.values()].filter((n) => n > 1).length,
    unverified,
  };
}

/** Users and desktops on the simulator before a drill's load. */
export interface Snapshot {
  users: Set<string>;
  desktops: Set<string>;
}

export async function snapshot(sim: Sim): Promise<Snapshot> {
  const state = await sim.state();
  return {
    users: new Set(state.users.map((u) => u.id)),
    desktops: new Set(state.desktops.map((d) => d.desktop_id)),
  };
}

/**
 * From the simulator's `/_sim/state`, against what deskgate recorded:
 * - duplicated: a user name or a desktop computer name (deskgate's client token) that exists
 *   more than once among the objects made since `before`;
 * - orphaned: a user or desktop made since `before` that no succeeded apply reports (a failed
 *   one must have rolled back what it made).
 * Every generated password the simulator holds is added to the run's secrets.
 */
export async function upstreamFigures(ctx: DrillCtx, before: Snapshot, sql: Sql) {
  const state: SimStateView = await ctx.sim.state();
  const newUsers = state.users.filter((u) => !before.users.has(u.id));
  const newDesktops = state.desktops.filter((d) => !before.desktops.has(d.desktop_id));
  const count = (names: string[]) => {
    const seen = new Map<string, number>();
    for (const n of names) seen.set(n, (seen.get(n) ?? 0) + 1);
    return [...seen.values()].filter((n) => n > 1).reduce((sum, n) => sum + n - 1, 0);
  };
  const duplicated = count(newUsers.map((u) => u.user_name)) + count(newDesktops.map((d) => d.computer_name));
  const rows = (await sql`select result->>'username' as username, result->>'desktop_uuid' as desktop
    from tasks where kind = 'desktop.apply' and state = 'succeeded'`) as unknown as {
    username: string;
    desktop: string;
  }[];
  const users = new Set(rows.map((r) => r.username));
  const desktops = new Set(rows.map((r) => r.desktop));
  const orphanUsers = newUsers.filter((u) => !users.has(u.user_name)).map((u) => u.user_name);
  const orphanDesktops = newDesktops.filter((d) => !desktops.has(d.desktop_id)).map((d) => d.computer_name);
  return {
    duplicated,
    orphaned: orphanUsers.length + orphanDesktops.length,
    orphans: [...orphanUsers, ...orphanDesktops].slice(0, 5),
    newUsers: newUsers.length,
    newDesktops: newDesktops.length,
  };
}

/** Passwords the receiver saw in callbacks: secrets for the audit. */
export function collectCallbackPasswords(ctx: DrillCtx): void {
  for (const d of ctx.receiver.deliveries) {
    try {
      const password = (JSON.parse(d.body) as { data?: { password?: string } }).data?.password;
      if (password) ctx.secrets.add(password);
    } catch {
      // not JSON
    }
  }
}

/** Passwords the simulator holds (it keeps them in clear, as a test tool): secrets for the audit. */
export async function collectSimPasswords(ctx: DrillCtx): Promise<void> {
  const state = await ctx.sim.state().catch(() => null);
  for (const u of state?.users ?? []) if (u.password) ctx.secrets.add(u.password);
}

import type { VncSession } from "@deskgate/contracts";
import { closeVncSessionsExcept, markVncSessionClosed, type TaskRow, upsertVncSession } from "@deskgate/db";
import type { HpcVncSession } from "@deskgate/upstream";
import type { WorkerDeps } from "../deps.ts";
import { TaskFailure } from "../failure.ts";
import { hpcAccess } from "../hpc-access.ts";
import { taskContext } from "../progress.ts";
import type { TaskOutcome } from "./run-task.ts";

/**
 * HPC VNC tasks (SPEC 2.8). Requests the api stores on the task:
 * - hpc.vnc_open  `{ "account": "<name>" }`
 * - hpc.vnc_list  `{ "account": "<name>" }`
 * - hpc.vnc_close `{ "account": "<name>", "sessionId": "<id>" }` (`session_id` accepted too)
 * Results: open → the session's seed-001 fields; list → `{ sessions: [...] }`; close →
 * `{ sessionId }`. A launch URL carries a one-time ticket (issue 17.2): it is never in `result`
 * (task views, /ops) nor in `vnc_sessions`; it goes to the synchronous caller only, sealed in the
 * task's progress as the caller's secret (`{ "<sessionId>": "<launch URL>" }`), which the api
 * takes once into its answer.
 * Open is idempotent upstream (one session per user: PUT returns the existing one), so a re-run
 * after a crash cannot make a second session. Sessions are mirrored in `vnc_sessions`.
 */
export interface VncRequest {
  account: string;
  sessionId?: string;
  session_id?: string;
}

export async function runVncOpen(deps: WorkerDeps, task: TaskRow): Promise<TaskOutcome> {
  const request = task.request as VncRequest;
  const { step } = taskContext<object>(deps, task);
  const hpc = await hpcAccess(deps, request.account);
  const session = await step(
    "open_session",
    () =>
      hpc.call(async (url, token) => {
        const s = await deps.hpc.openVnc(url, token);
        return { ...s, launchUrl: await deps.hpc.launchUrl(url, token, s.sessionId) };
      }),
    (s) => `session ${s.sessionId} on ${s.hostname}`,
  );
  await store(deps, request.account, session);
  const { launchUrl, ...fields } = session;
  return { data: fields, secretForCaller: JSON.stringify({ [session.sessionId]: launchUrl }) };
}

export async function runVncList(deps: WorkerDeps, task: TaskRow): Promise<TaskOutcome> {
  const request = task.request as VncRequest;
  const { step } = taskContext<object>(deps, task);
  const hpc = await hpcAccess(deps, request.account);
  const sessions = await step(
    "list_sessions",
    () =>
      hpc.call(async (url, token) => {
        const list = await deps.hpc.listVnc(url, token);
        return Promise.all(
          list.map(async (s) => ({ ...s, launchUrl: await deps.hpc.launchUrl(url, token, s.sessionId) })),
        );
      }),
    (l) => `${l.length} session(s)`,
  );
  for (const s of sessions) await store(deps, request.account, s);
  await closeVncSessionsExcept(
    deps.database.db,
    request.account,
    sessions.map((s) => s.sessionId),
  );
  const launchUrls = Object.fromEntries(sessions.map((s) => [s.sessionId, s.launchUrl]));
  return {
    data: { sessions: sessions.map(({ launchUrl: _ticket, ...fields }) => fields) },
    secretForCaller: JSON.stringify(launchUrls),
  };
}

export async function runVncClose(deps: WorkerDeps, task: TaskRow): Promise<TaskOutcome> {
  const request = task.request as VncRequest;
  const sessionId = request.sessionId ?? request.session_id;
  if (!sessionId) throw new TaskFailure("sessionId is required to close a VNC session");
  const { step } = taskContext<object>(deps, task);
  const hpc = await hpcAccess(deps, request.account);
  await step(
    "close_session",
    () => hpc.call((url, token) => deps.hpc.closeVnc(url, token, sessionId)),
    () => sessionId,
  );
  await markVncSessionClosed(deps.database.db, request.account, sessionId);
  return { data: { sessionId } };
}

async function store(deps: WorkerDeps, account: string, session: HpcVncSession & { launchUrl?: string }) {
  // The launch URL carries a one-time ticket: it goes to the caller, not into the table.
  const { launchUrl: _ticket, ...fields } = session;
  const view: VncSession = fields;
  await upsertVncSession(deps.database.db, { sessionId: session.sessionId, account, session: view });
}

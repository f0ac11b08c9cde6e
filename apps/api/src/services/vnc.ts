import { VncSession } from "@deskgate/contracts";
import { type Executor, type TaskRow, takeSealedPassword } from "@deskgate/db";
import type { Caller } from "../caller.ts";
import type { ApiDeps } from "../deps.ts";
import type { IdempotentRequest } from "./idempotency.ts";
import { unknownHpcAccount, visibleHpcAccount } from "./ownership.ts";
import { type Outcome, type Rejected, success } from "./reply.ts";
import { submitTask } from "./submit.ts";
import { answerFromTask, inOrder } from "./task-answer.ts";

const SESSION_KEYS = ["task_id", ...Object.keys(VncSession.shape)];

/** HPC VNC sessions (SPEC 2.8): synchronous tasks against the account's HPC platform. */
async function knownAccount(deps: ApiDeps, caller: Caller, account: string): Promise<Rejected | null> {
  // another tenant's account, or one no tenant owns yet, is unknown to the caller (issue 17.1)
  return (await visibleHpcAccount(deps, caller, account)) ? null : unknownHpcAccount(account);
}

/**
 * The launch URLs the worker sealed for this answer (issue 17.2), taken once: a replay of the
 * same answer (Idempotency-Key) has them from its stored, sealed reply.
 */
async function takeLaunchUrls(deps: ApiDeps, task: TaskRow, db: Executor): Promise<Record<string, string>> {
  const sealed = await takeSealedPassword(db, task.id);
  return sealed ? (JSON.parse(deps.box.open(sealed)) as Record<string, string>) : {};
}

/** PUT /api/hpc/{account}/vnc — open the account's session, or return the existing one. */
export async function openVnc(deps: ApiDeps, caller: Caller, account: string, idem?: IdempotentRequest) {
  return submitTask(
    deps,
    caller,
    {
      kind: "hpc.vnc_open",
      request: { account },
      callbackUrl: null,
      check: () => knownAccount(deps, caller, account),
      answer: async (task, db) => {
        const reply = answerFromTask(task, SESSION_KEYS);
        if (!reply.ok) return reply;
        const urls = await takeLaunchUrls(deps, task, db);
        const session = reply.data as { sessionId: string };
        const data = inOrder(SESSION_KEYS, { ...session, launchUrl: urls[session.sessionId] });
        return { ...reply, data, secret: true }; // a stored answer keeps the ticket sealed
      },
    },
    idem,
  );
}

/** GET /api/hpc/{account}/vnc — the account's sessions as the platform lists them now. */
export async function listVnc(deps: ApiDeps, caller: Caller, account: string): Promise<Outcome> {
  const outcome = await submitTask(deps, caller, {
    kind: "hpc.vnc_list",
    request: { account },
    callbackUrl: null,
    check: () => knownAccount(deps, caller, account),
    answer: async (task, db) => {
      const urls = task.state === "succeeded" ? await takeLaunchUrls(deps, task, db) : {};
      const reply = answerFromTask(task, [], (result) =>
        ((result.sessions ?? []) as { sessionId: string }[]).map((s) =>
          inOrder(SESSION_KEYS.slice(1), { ...s, launchUrl: urls[s.sessionId] }),
        ),
      );
      return reply.ok ? { ...reply, secret: true } : { ...reply, data: [] };
    },
  });
  // a list that is not ready within the bound: 202, data [] (the GET envelope's list), task id in a header
  if (outcome.kind === "reply" && outcome.http === 202) {
    const taskId = (outcome.data as { task_id: string }).task_id;
    return { ...success([], 202, outcome.message), headers: { "X-Task-Id": taskId } };
  }
  return outcome;
}

/** DELETE /api/hpc/{account}/vnc/{sessionId} — close a session ("already gone" is success). */
export async function closeVnc(
  deps: ApiDeps,
  caller: Caller,
  account: string,
  sessionId: string,
  idem?: IdempotentRequest,
) {
  return submitTask(
    deps,
    caller,
    {
      kind: "hpc.vnc_close",
      request: { account, sessionId },
      callbackUrl: null,
      check: () => knownAccount(deps, caller, account),
      answer: async (task) => answerFromTask(task, [], () => ({ task_id: task.id, sessionId })),
    },
    idem,
  );
}

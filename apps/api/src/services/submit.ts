import { randomUUID } from "node:crypto";
import { approvalOf, Notices, type TaskKind } from "@deskgate/contracts";
import { findIdempotencyRecord, getTask } from "@deskgate/db";
import type { Caller } from "../caller.ts";
import type { ApiDeps } from "../deps.ts";
import {
  finishIdempotent,
  type IdempotentRequest,
  replayIdempotent,
  storedForm,
  type TaskAnswer,
} from "./idempotency.ts";
import { type Outcome, type Rejected, type Reply, success } from "./reply.ts";

/** Queue names are the task kinds that do upstream work. */
type QueuedKind = Exclude<TaskKind, "platform.reconcile">;

export interface TaskOperation {
  kind: QueuedKind;
  /** The validated request, stored on the task (never holds a secret the worker cannot seal). */
  request: unknown;
  callbackUrl: string | null;
  /** Request-time decisions (SPEC 2.2): a rejection writes nothing. */
  check?: () => Promise<Rejected | null>;
  /**
   * Synchronous operations: wait for the task, then answer from it. Absent → asynchronous:
   * answer at once with `data.task_id`.
   */
  answer?: TaskAnswer;
}

/**
 * Accept a task: run the request-time checks, then commit the idempotency claim, the task row
 * and its pg-boss job in one transaction — shared with whatever other requests arrive while
 * a commit is in flight (group commit, `createIntake`); the answer goes out only after the
 * commit. A request whose Idempotency-Key is already claimed writes nothing and replays the
 * earlier answer: a concurrent duplicate blocks on the claim's unique index until the first
 * commits (never a second task). Synchronous operations then wait for the task to end (woken
 * by NOTIFY) up to `syncTimeoutMs`, else answer 202.
 */
export async function submitTask(
  deps: ApiDeps,
  caller: Caller,
  op: TaskOperation,
  idem?: IdempotentRequest,
  retried = false,
): Promise<Outcome> {
  const refused = op.check ? await op.check() : null;
  if (refused) {
    // a retry of a request that was accepted earlier gets that answer, not a new verdict
    const earlier = idem ? await replayIdempotent(deps, idem, op.answer) : null;
    return earlier ?? refused;
  }

  const taskId = randomUUID();
  const immediate = op.answer ? null : success({ task_id: taskId });
  const claimed = await deps.intake.submit({
    task: {
      id: taskId,
      kind: op.kind,
      request: op.request,
      callbackUrl: op.callbackUrl,
      apiKeyId: caller.apiKeyId,
      tenant: caller.tenant,
      requestId: caller.requestId ?? null,
      ...approvalOf(op.request),
    },
    ...(idem && {
      idempotency: {
        ...idem.scope,
        fingerprint: idem.fingerprint,
        ttlSeconds: deps.idempotencyTtlSeconds,
        ...(immediate ? { response: storedForm(deps, immediate) } : {}),
      },
    }),
  });
  if (!claimed) {
    const earlier = await replayIdempotent(deps, idem!, op.answer);
    if (earlier) return earlier;
    // the record we collided with had expired (and is deleted now): claim the key afresh
    if (!retried) return submitTask(deps, caller, op, idem, true);
    throw new Error("idempotency record vanished during a concurrent duplicate");
  }
  if (immediate) return immediate;
  return awaitAnswer(deps, taskId, op.answer!, idem);
}

async function awaitAnswer(
  deps: ApiDeps,
  taskId: string,
  answer: TaskAnswer,
  idem: IdempotentRequest | undefined,
): Promise<Reply> {
  const ended = await deps.waiter.waitForEnd(taskId, deps.syncTimeoutMs);
  if (!ended) return success({ task_id: taskId }, 202, Notices.still_running);
  const record = idem ? await findIdempotencyRecord(deps.database.db, idem.scope) : undefined;
  if (record) return finishIdempotent(deps, record.id, taskId, answer);
  const task = await getTask(deps.database.db, taskId);
  if (!task) return success({ task_id: taskId }, 202, Notices.still_running);
  return answer(task, deps.database.db);
}

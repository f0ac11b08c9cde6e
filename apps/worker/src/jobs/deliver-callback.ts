import type { DeliveryJob } from "@deskgate/contracts";
import {
  beginAttempt,
  countDeliveryAttempt,
  type DeliveryRow,
  endAttempt,
  enqueue,
  getDelivery,
  getTask,
  signingSecretsOf,
  type TaskRow,
  updateDelivery,
} from "@deskgate/db";
import { type DeliveryAttemptResult, nextRetryDelaySec, webhookHeaders } from "@deskgate/webhooks";
import type { WorkerDeps } from "../deps.ts";

type DeliveryDeps = Pick<
  WorkerDeps,
  | "database"
  | "boss"
  | "deliverer"
  | "box"
  | "logger"
  | "webhookSecrets"
  | "callbackRetryDelaySec"
  | "now"
  | "metrics"
>;

/**
 * One scheduled attempt of a callback event (queue `callback.deliver`): record it as `sending`,
 * sign the exact bytes, POST (SSRF-guarded, no redirects), record the outcome, then settle the
 * delivery or schedule the next attempt on the retry schedule — in one transaction.
 * A job flagged `manual` (an operator's `requestRedelivery`) is one `redeliver` instead.
 */
export async function deliverCallback(deps: DeliveryDeps, job: { data: DeliveryJob }): Promise<void> {
  if (job.data.manual) {
    await redeliver(deps, job.data.delivery_id);
    return;
  }
  const delivery = await getDelivery(deps.database.db, job.data.delivery_id);
  if (delivery?.state !== "pending") return;
  await attempt(deps, delivery, "scheduled");
}

export interface RedeliveryOutcome {
  attempt: number;
  result: DeliveryAttemptResult;
  state: string;
}

/**
 * Operator redelivery (CLI, /ops): one immediate attempt with trigger `manual`, the same
 * `webhook-id` and body, a new timestamp and signature. A delivered/failed/gone delivery that
 * succeeds now becomes `delivered`; one that fails keeps its state (a pending one keeps its
 * schedule). If the generated password was already wiped (delivered or given up before), the
 * body carries `"password":""` — deskgate no longer has it, by design.
 * Returns null for an unknown delivery id.
 */
export async function redeliver(deps: DeliveryDeps, deliveryId: string): Promise<RedeliveryOutcome | null> {
  const delivery = await getDelivery(deps.database.db, deliveryId);
  if (!delivery) return null;
  return attempt(deps, delivery, "manual");
}

async function attempt(
  deps: DeliveryDeps,
  delivery: DeliveryRow,
  trigger: "scheduled" | "manual",
): Promise<RedeliveryOutcome> {
  const { db } = deps.database;
  const number = delivery.attempts + 1;
  const attemptId = await beginAttempt(db, delivery.id, number, trigger);
  const task = await getTask(db, delivery.taskId);
  const body = delivery.sealedPassword
    ? withPassword(delivery.body, deps.box.open(delivery.sealedPassword))
    : delivery.body;
  const headers = {
    ...webhookHeaders({
      secrets: await signingSecrets(deps, task),
      msgId: delivery.webhookId,
      timestampSec: Math.floor((deps.now?.() ?? new Date()).getTime() / 1000),
      body,
    }),
    // the request that made the task, so a receiver's logs meet deskgate's (issue 16.5)
    ...(task?.requestId ? { "x-request-id": task.requestId } : {}),
  };
  const result = await deps.deliverer.deliver({ url: delivery.url, body, headers });

  let state: "pending" | "delivered" | "failed" | "gone";
  let delay: number | null = null;
  if (trigger === "manual") {
    state = result.ok ? "delivered" : (delivery.state as typeof state);
  } else {
    const schedule = deps.callbackRetryDelaySec ?? nextRetryDelaySec;
    delay = result.ok || result.gone ? null : schedule(number, result);
    state = result.ok ? "delivered" : result.gone ? "gone" : delay === null ? "failed" : "pending";
  }
  const outcome = result.ok
    ? "delivered"
    : result.gone
      ? "gone"
      : result.errorClass === "blocked_by_policy"
        ? "blocked"
        : "failed";
  deps.metrics?.callbackAttempts.inc({ outcome, error_class: result.errorClass ?? "" });
  await db.transaction(async (tx) => {
    await endAttempt(tx, attemptId, {
      outcome,
      httpStatus: result.status,
      errorClass: result.errorClass,
      latencyMs: Math.round(result.latencyMs),
      responsePrefix: result.responsePrefix,
    });
    if (trigger === "manual" && !result.ok) {
      // A failed manual attempt is recorded but changes neither state nor schedule.
      await countDeliveryAttempt(tx, delivery.id, number);
    } else {
      await updateDelivery(tx, delivery.id, { state, attempts: number, nextAttemptInSec: delay });
    }
    if (delay !== null) {
      await enqueue(
        deps.boss,
        tx,
        "callback.deliver",
        { delivery_id: delivery.id, attempt: number + 1 },
        { startAfter: delay },
      );
    }
  });
  // a refused or failed attempt is worth an operator's look
  deps.logger[result.ok ? "info" : "warn"](
    {
      task_id: delivery.taskId,
      ...(task?.requestId ? { request_id: task.requestId } : {}),
      delivery_id: delivery.id,
      attempt: number,
      trigger,
      status: result.status,
      error_class: result.errorClass,
      detail: result.detail,
      state,
    },
    "callback attempt",
  );
  return { attempt: number, result, state };
}

/**
 * The secrets that sign a task's callbacks: its API key's own secret, plus the one it replaced
 * while a rotation's overlap lasts (so both signatures are sent); the global secret(s) for a
 * key without a secret of its own.
 */
async function signingSecrets(deps: DeliveryDeps, task: TaskRow | undefined): Promise<string[]> {
  if (!task?.apiKeyId) return deps.webhookSecrets();
  const own = await signingSecretsOf(deps.database.db, task.apiKeyId);
  const secrets = own.sealed.map((s) => deps.box.open(s));
  return own.global ? [...secrets, ...(await deps.webhookSecrets())] : secrets;
}

/** Put the generated password back into the stored body; key order, and so the bytes, stay stable. */
function withPassword(body: string, password: string): string {
  const envelope = JSON.parse(body) as { data: Record<string, unknown> };
  envelope.data.password = password;
  return JSON.stringify(envelope);
}

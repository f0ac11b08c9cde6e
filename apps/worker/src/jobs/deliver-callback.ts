import type { DeliveryJob } from "@deskgate/contracts";
import { beginAttempt, endAttempt, enqueue, getDelivery, updateDelivery } from "@deskgate/db";
import { nextRetryDelaySec, webhookHeaders } from "@deskgate/webhooks";
import type { WorkerDeps } from "../deps.ts";

/**
 * One delivery attempt of a callback event: record it as `sending`, sign the exact bytes,
 * POST (SSRF-guarded, no redirects), record the outcome, then either settle the delivery
 * or schedule the next attempt on the retry schedule — in one transaction.
 */
export async function deliverCallback(deps: WorkerDeps, job: { data: DeliveryJob }): Promise<void> {
  const { db } = deps.database;
  const delivery = await getDelivery(db, job.data.delivery_id);
  if (delivery?.state !== "pending") return;
  const attempt = delivery.attempts + 1;
  const attemptId = await beginAttempt(db, delivery.id, attempt, "scheduled");
  const body = delivery.sealedPassword
    ? withPassword(delivery.body, deps.box.open(delivery.sealedPassword))
    : delivery.body;
  const headers = webhookHeaders({
    secrets: await deps.webhookSecrets(),
    msgId: delivery.webhookId,
    timestampSec: Math.floor(Date.now() / 1000),
    body,
  });
  const result = await deps.deliverer.deliver({ url: delivery.url, body, headers });
  const delay = result.ok || result.gone ? null : nextRetryDelaySec(attempt, result);
  const state = result.ok ? "delivered" : result.gone ? "gone" : delay === null ? "failed" : "pending";
  await db.transaction(async (tx) => {
    await endAttempt(tx, attemptId, {
      outcome: result.ok ? "delivered" : "failed",
      httpStatus: result.status,
      errorClass: result.errorClass,
      latencyMs: Math.round(result.latencyMs),
      responsePrefix: result.responsePrefix,
    });
    await updateDelivery(tx, delivery.id, { state, attempts: attempt, nextAttemptInSec: delay });
    if (delay !== null) {
      await enqueue(
        deps.boss,
        tx,
        "callback.deliver",
        { delivery_id: delivery.id, attempt: attempt + 1 },
        { startAfter: delay },
      );
    }
  });
  deps.logger.info(
    {
      task_id: delivery.taskId,
      delivery_id: delivery.id,
      attempt,
      status: result.status,
      error_class: result.errorClass,
      state,
    },
    "callback attempt",
  );
}

/** Put the generated password back into the stored body; key order, and so the bytes, stay stable. */
function withPassword(body: string, password: string): string {
  const envelope = JSON.parse(body) as { data: Record<string, unknown> };
  envelope.data.password = password;
  return JSON.stringify(envelope);
}

import { randomUUID } from "node:crypto";
import type { ApplyRequest } from "@deskgate/contracts";
import { enqueue, insertTask } from "@deskgate/db";
import { checkCallbackUrl } from "@deskgate/webhooks";
import type { ApiDeps } from "../deps.ts";

export type AcceptOutcome = { kind: "accepted"; taskId: string } | { kind: "rejected"; message: string };

/**
 * Accept an apply request: what can be known now is checked now (callback URL policy, os
 * availability); then the task row and its job commit in one transaction.
 */
export async function acceptApply(
  deps: ApiDeps,
  input: ApplyRequest,
  caller: { apiKeyId: string | null },
): Promise<AcceptOutcome> {
  const url = checkCallbackUrl(input.callback_url, deps.callbackPolicy);
  if (!url.ok) return { kind: "rejected", message: `callback_url: ${url.reason}` };
  if (!deps.osImages[input.os]) {
    const available = Object.keys(deps.osImages).join(", ") || "none";
    return {
      kind: "rejected",
      message: `os: ${input.os} is not available on this platform (available: ${available})`,
    };
  }
  const taskId = randomUUID();
  await deps.database.db.transaction(async (tx) => {
    await insertTask(tx, {
      id: taskId,
      kind: "desktop.apply",
      request: input,
      callbackUrl: input.callback_url,
      apiKeyId: caller.apiKeyId,
    });
    await enqueue(deps.boss, tx, "desktop.apply", { task_id: taskId });
  });
  return { kind: "accepted", taskId };
}

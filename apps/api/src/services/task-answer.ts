import type { TaskRow } from "@deskgate/db";
import { type Reply, success, text } from "./reply.ts";

/** Keys that never leave deskgate in a task's result (the view, REST answers, tRPC). */
const SECRET_KEYS = new Set(["password", "sealedPassword", "token", "secret"]);

export function withoutSecrets(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "object" || Array.isArray(value)) return { value };
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).filter(([k]) => !SECRET_KEYS.has(k)),
  );
}

/**
 * `value`'s keys in the contract's order (`keys`), then any others as they come. The task's
 * result is jsonb, which does not keep key order; answers must be byte-stable.
 */
export function inOrder(keys: readonly string[], value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (value[k] !== undefined) out[k] = value[k];
  for (const [k, v] of Object.entries(value)) if (!(k in out) && v !== undefined) out[k] = v;
  return out;
}

/**
 * The answer of a synchronous request whose task has ended: success with `task_id` first and
 * the task's result after it, or a failure (`status "-1"`, `data.task_id`) with the task's
 * reason — HTTP 404 when the worker found that something the request names does not exist
 * (`progress.failureCode: "not_found"`: an unknown user, a desktop gone from the platform),
 * else 422.
 */
export function answerFromTask(
  task: TaskRow,
  keys: readonly string[],
  data?: (result: Record<string, unknown>) => unknown,
): Reply {
  if (task.state === "succeeded") {
    const result = withoutSecrets(task.result) ?? {};
    return success(data ? data(result) : inOrder(keys, { task_id: task.id, ...result }));
  }
  const reason = task.error ?? (task.state === "cancelled" ? "The task was cancelled" : "The task failed");
  const notFound = (task.progress as { failureCode?: string } | null)?.failureCode === "not_found";
  return {
    kind: "reply",
    http: notFound ? 404 : 422,
    ok: false,
    code: notFound ? "not_found" : "task_failed",
    data: { task_id: task.id },
    message: text(reason),
  };
}

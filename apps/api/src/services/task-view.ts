import { TaskId, type TaskView } from "@deskgate/contracts";
import { getTaskDetail } from "@deskgate/db";
import { type Caller, canSeeTask } from "../caller.ts";
import type { ApiDeps } from "../deps.ts";
import { type Outcome, rejected, success, text } from "./reply.ts";
import { withoutSecrets } from "./task-answer.ts";

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** A task as its caller may see it (SPEC 2.7), or undefined (unknown, or another key's). */
export async function loadTaskView(
  deps: ApiDeps,
  caller: Caller,
  taskId: string,
): Promise<TaskView | undefined> {
  const detail = await getTaskDetail(deps.database.db, taskId);
  if (!detail || !canSeeTask(caller, detail.task)) return undefined;
  const { task, steps, deliveries } = detail;
  // The stored result is the worker's own output for this kind (contracts' TaskResults).
  return {
    task_id: task.id,
    kind: task.kind as TaskView["kind"],
    state: task.state as TaskView["state"],
    created_at: task.createdAt.toISOString(),
    started_at: iso(task.startedAt),
    finished_at: iso(task.finishedAt),
    steps: steps.map((s) => ({
      name: s.name,
      started_at: s.startedAt.toISOString(),
      ended_at: iso(s.endedAt),
      outcome: s.outcome as TaskView["steps"][number]["outcome"],
      detail: s.detail,
      upstream_request_id: s.upstreamRequestId,
    })),
    result: withoutSecrets(task.result),
    error: task.error,
    ticket_id: task.ticketId,
    requester: task.requester,
    callbacks: deliveries.map((d) => ({
      webhook_id: d.webhookId,
      url: d.url,
      state: d.state as TaskView["callbacks"][number]["state"],
      next_attempt_at: iso(d.nextAttemptAt),
      attempts: d.attemptRows.map((a) => ({
        attempt: a.attempt,
        trigger: a.trigger as "scheduled" | "manual",
        outcome: a.outcome,
        http_status: a.httpStatus,
        error_class: a.errorClass,
        latency_ms: a.latencyMs,
        response_prefix: a.responsePrefix,
        started_at: a.startedAt.toISOString(),
        ended_at: iso(a.endedAt),
      })),
    })),
  } as TaskView;
}

/** GET /api/tasks/{task_id}: another tenant's task is a 404, as an unknown one; not a uuid, 400. */
export async function getTaskOutcome(deps: ApiDeps, caller: Caller, taskId: string): Promise<Outcome> {
  const id = TaskId.safeParse(taskId);
  if (!id.success) return rejected("invalid_request", text(`task_id: ${id.error.issues[0]?.message}`));
  const view = await loadTaskView(deps, caller, id.data);
  return view
    ? success(view)
    : rejected("not_found", text(`task ${taskId} is not known`, `任务 ${taskId} 不存在`));
}

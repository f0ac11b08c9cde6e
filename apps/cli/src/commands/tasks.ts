import { getTaskDetail, listTasks } from "@deskgate/db";
import type { CliContext } from "../context.ts";
import { NotFoundError, UsageError } from "../usage.ts";

export async function tasksList(
  ctx: CliContext,
  flags: { state?: string; kind?: string; search?: string; ticket?: string; limit?: string },
) {
  const rows = await listTasks(ctx.database.db, {
    state: flags.state,
    kind: flags.kind,
    search: flags.search,
    ticket: flags.ticket,
    limit: flags.limit ? Number(flags.limit) : 50, // checked by the CLI: 1 to 1000
  });
  ctx.out.print(rows, [
    "id",
    "kind",
    "state",
    "username",
    "desktopUuid",
    "ticketId",
    "attempts",
    "createdAt",
    "error",
  ]);
}

export async function tasksShow(ctx: CliContext, id: string | undefined) {
  if (!id) throw new UsageError("missing <task_id>");
  const detail = await getTaskDetail(ctx.database.db, id);
  if (!detail) throw new NotFoundError(`no task ${id}`);
  const { task, steps } = detail;
  // Resumable progress and sealed passwords stay in the database.
  const deliveries = detail.deliveries.map(({ sealedPassword: _sealed, ...d }) => d);
  if (ctx.out.json)
    return ctx.out.print({ task: { ...task, progress: undefined }, steps, deliveries } as never);
  ctx.out.print({
    task: task.id,
    kind: task.kind,
    state: task.state,
    created: task.createdAt,
    finished: task.finishedAt,
    error: task.error,
    ticket: task.ticketId,
    requester: task.requester,
    result: task.result,
  });
  ctx.out.line("\nsteps:");
  ctx.out.print(steps as never, ["name", "outcome", "startedAt", "endedAt", "detail"]);
  for (const d of deliveries) {
    ctx.out.line(`\ncallback ${d.webhookId} → ${d.url}: ${d.state} after ${d.attempts} attempt(s)`);
    ctx.out.print(d.attemptRows as never, [
      "attempt",
      "trigger",
      "outcome",
      "httpStatus",
      "errorClass",
      "latencyMs",
      "startedAt",
    ]);
  }
}

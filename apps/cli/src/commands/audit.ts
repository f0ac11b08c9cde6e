import { listAudit } from "@deskgate/db";
import type { CliContext } from "../context.ts";
import { UsageError } from "../usage.ts";

/** The audit trail, newest first: who did what to which object, and how it ended. */
export async function auditList(ctx: CliContext, flags: { target?: string; actor?: string; limit?: string }) {
  const limit = flags.limit === undefined ? 50 : Number(flags.limit);
  if (!(Number.isInteger(limit) && limit > 0 && limit <= 1000)) {
    throw new UsageError("--limit must be a whole number from 1 to 1000");
  }
  const rows = await listAudit(ctx.database.db, { limit, target: flags.target, actor: flags.actor });
  ctx.out.print(
    rows.map((e) => ({
      at: e.at,
      actor: e.actor,
      action: e.action,
      target: e.target,
      outcome: e.outcome,
      detail: e.detail,
    })),
    ["at", "actor", "action", "target", "outcome", "detail"],
  );
}

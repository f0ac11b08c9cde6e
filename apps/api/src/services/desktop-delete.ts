import type { DesktopDeleteRequest } from "@deskgate/contracts";
import { getDesktopRow, taskExistsFor } from "@deskgate/db";
import type { Caller } from "../caller.ts";
import type { ApiDeps } from "../deps.ts";
import { callbackRefusal } from "./apply.ts";
import type { IdempotentRequest } from "./idempotency.ts";
import { type Outcome, rejected, text } from "./reply.ts";
import { submitTask } from "./submit.ts";

/**
 * Accept a desktop delete (asynchronous; the outcome is the callback). A desktop deskgate's
 * tables do not hold is 404 — unless an earlier delete (or offboarding) of it was accepted:
 * then deleting what is already gone succeeds, as a task that finds it gone.
 */
export async function acceptDesktopDelete(
  deps: ApiDeps,
  caller: Caller,
  input: DesktopDeleteRequest,
  idem?: IdempotentRequest,
): Promise<Outcome> {
  return submitTask(
    deps,
    caller,
    {
      kind: "desktop.delete",
      request: input,
      callbackUrl: input.callback_url,
      check: async () => {
        const refused = callbackRefusal(deps, input.callback_url);
        if (refused) return refused;
        const { db } = deps.database;
        if (await getDesktopRow(db, input.desktop_uuid)) return null;
        if (await taskExistsFor(db, ["desktop.delete"], "desktop_uuid", input.desktop_uuid)) return null;
        return rejected(
          "not_found",
          text(`desktop ${input.desktop_uuid} is not known`, `桌面 ${input.desktop_uuid} 不存在`),
        );
      },
    },
    idem,
  );
}

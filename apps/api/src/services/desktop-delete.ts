import type { DesktopDeleteRequest } from "@deskgate/contracts";
import { taskExistsFor } from "@deskgate/db";
import { type Caller, tenantScope } from "../caller.ts";
import type { ApiDeps } from "../deps.ts";
import { callbackRefusal } from "./apply.ts";
import type { IdempotentRequest } from "./idempotency.ts";
import { unknownDesktop, visibleDesktop } from "./ownership.ts";
import type { Outcome } from "./reply.ts";
import { submitTask } from "./submit.ts";

/**
 * Accept a desktop delete (asynchronous; the outcome is the callback). A desktop deskgate's
 * tables do not hold is 404 — unless an earlier delete (or offboarding) of it was accepted:
 * then deleting what is already gone succeeds, as a task that finds it gone. Another tenant's
 * desktop (or its earlier delete) is unknown to the caller (docs/api.md, "Tenants").
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
        if (await visibleDesktop(deps, caller, input.desktop_uuid)) return null;
        const mine = tenantScope(caller);
        const kinds = ["desktop.delete"];
        if (await taskExistsFor(deps.database.db, kinds, "desktop_uuid", input.desktop_uuid, mine))
          return null;
        return unknownDesktop(input.desktop_uuid);
      },
    },
    idem,
  );
}

import type { UserOffboardRequest } from "@deskgate/contracts";
import { taskExistsFor } from "@deskgate/db";
import { type Caller, tenantScope } from "../caller.ts";
import type { ApiDeps } from "../deps.ts";
import { callbackRefusal } from "./apply.ts";
import type { IdempotentRequest } from "./idempotency.ts";
import { unknownUser, visibleUser } from "./ownership.ts";
import type { Outcome } from "./reply.ts";
import { submitTask } from "./submit.ts";

/**
 * Accept an offboarding (asynchronous). A user deskgate's tables do not hold is 404 — unless an
 * earlier offboarding of that name was accepted: the repeat succeeds with nothing left to remove.
 */
export async function acceptUserOffboard(
  deps: ApiDeps,
  caller: Caller,
  input: UserOffboardRequest,
  idem?: IdempotentRequest,
): Promise<Outcome> {
  return submitTask(
    deps,
    caller,
    {
      kind: "user.offboard",
      request: input,
      callbackUrl: input.callback_url,
      check: async () => {
        const refused = callbackRefusal(deps, input.callback_url);
        if (refused) return refused;
        if (await visibleUser(deps, caller, input.username)) return null;
        const mine = tenantScope(caller);
        if (await taskExistsFor(deps.database.db, ["user.offboard"], "username", input.username, mine))
          return null;
        return unknownUser(input.username);
      },
    },
    idem,
  );
}

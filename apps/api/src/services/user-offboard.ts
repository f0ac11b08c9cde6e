import type { UserOffboardRequest } from "@deskgate/contracts";
import { findUser, taskExistsFor } from "@deskgate/db";
import type { Caller } from "../caller.ts";
import type { ApiDeps } from "../deps.ts";
import { callbackRefusal } from "./apply.ts";
import type { IdempotentRequest } from "./idempotency.ts";
import { type Outcome, rejected, text } from "./reply.ts";
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
        const { db } = deps.database;
        if (await findUser(db, input.username)) return null;
        if (await taskExistsFor(db, ["user.offboard"], "username", input.username)) return null;
        return rejected(
          "not_found",
          text(`user ${input.username} is not known`, `用户 ${input.username} 不存在`),
        );
      },
    },
    idem,
  );
}

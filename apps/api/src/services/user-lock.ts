import { type UserLockRequest, UserLockResult } from "@deskgate/contracts";
import type { Caller } from "../caller.ts";
import type { ApiDeps } from "../deps.ts";
import { callbackRefusal } from "./apply.ts";
import type { IdempotentRequest } from "./idempotency.ts";
import { userRefusal } from "./ownership.ts";
import type { Outcome } from "./reply.ts";
import { submitTask } from "./submit.ts";
import { answerFromTask } from "./task-answer.ts";

/**
 * Lock or unlock a user: synchronous like policy-update (the answer once the platform did it,
 * or 202 after the bound); with `callback_url`, asynchronous. A user deskgate's tables do not
 * hold is 404.
 */
export async function setUserLock(
  deps: ApiDeps,
  caller: Caller,
  locked: boolean,
  input: UserLockRequest,
  idem?: IdempotentRequest,
): Promise<Outcome> {
  return submitTask(
    deps,
    caller,
    {
      kind: locked ? "user.lock" : "user.unlock",
      request: input,
      callbackUrl: input.callback_url ?? null,
      check: async () => {
        const refused = callbackRefusal(deps, input.callback_url);
        if (refused) return refused;
        return userRefusal(deps, caller, input.username);
      },
      ...(input.callback_url
        ? {}
        : { answer: async (task) => answerFromTask(task, Object.keys(UserLockResult.shape)) }),
    },
    idem,
  );
}

import { type PolicyUpdateRequest, PolicyUpdateResult } from "@deskgate/contracts";
import type { Caller } from "../caller.ts";
import type { ApiDeps } from "../deps.ts";
import { callbackRefusal } from "./apply.ts";
import type { IdempotentRequest } from "./idempotency.ts";
import { desktopRefusal } from "./ownership.ts";
import type { Outcome } from "./reply.ts";
import { submitTask } from "./submit.ts";
import { answerFromTask } from "./task-answer.ts";

/**
 * Change a desktop's USB / data-access policy (SPEC 2.3): synchronous (the answer comes once
 * the platform applied it, or 202 after the bound); with `callback_url`, asynchronous.
 */
export async function updatePolicy(
  deps: ApiDeps,
  caller: Caller,
  input: PolicyUpdateRequest,
  idem?: IdempotentRequest,
): Promise<Outcome> {
  return submitTask(
    deps,
    caller,
    {
      kind: "desktop.policy_update",
      request: input,
      callbackUrl: input.callback_url ?? null,
      check: async () => {
        const refused = callbackRefusal(deps, input.callback_url);
        if (refused) return refused;
        return desktopRefusal(deps, caller, input.desktop_uuid);
      },
      ...(input.callback_url
        ? {}
        : { answer: async (task) => answerFromTask(task, Object.keys(PolicyUpdateResult.shape)) }),
    },
    idem,
  );
}

import type { DesktopLeaseRequest } from "@deskgate/contracts";
import type { Caller } from "../caller.ts";
import type { ApiDeps } from "../deps.ts";
import { callbackRefusal } from "./apply.ts";
import type { IdempotentRequest } from "./idempotency.ts";
import { unknownDesktop, visibleDesktop } from "./ownership.ts";
import { type Outcome, rejected, text } from "./reply.ts";
import { submitTask } from "./submit.ts";

/**
 * Accept a lease change (asynchronous; the outcome is the callback). A desktop deskgate does
 * not know is 404; one whose lease's delete has begun is 409 — the worker checks that again
 * when it sets the lease (a delete claimed in between fails the task, in its callback).
 */
export async function acceptDesktopLease(
  deps: ApiDeps,
  caller: Caller,
  input: DesktopLeaseRequest,
  idem?: IdempotentRequest,
): Promise<Outcome> {
  return submitTask(
    deps,
    caller,
    {
      kind: "desktop.lease",
      request: input,
      callbackUrl: input.callback_url,
      check: async () => {
        const refused = callbackRefusal(deps, input.callback_url);
        if (refused) return refused;
        const row = await visibleDesktop(deps, caller, input.desktop_uuid);
        if (!row) return unknownDesktop(input.desktop_uuid);
        if (row.leaseStage === "deleting") {
          return rejected(
            "conflict",
            text(
              `the lease of desktop ${input.desktop_uuid} ended and its delete has begun: it can no longer be extended`,
              `桌面 ${input.desktop_uuid} 的租期已结束且已开始删除,无法再延期`,
            ),
          );
        }
        return null;
      },
    },
    idem,
  );
}

import type { ApplyRequest } from "@deskgate/contracts";
import { findUser } from "@deskgate/db";
import { checkCallbackUrl } from "@deskgate/webhooks";
import { type Caller, canSee } from "../caller.ts";
import type { ApiDeps } from "../deps.ts";
import type { IdempotentRequest } from "./idempotency.ts";
import { unknownUser } from "./ownership.ts";
import { quotaRefusal } from "./quota-check.ts";
import { type Outcome, rejected, text } from "./reply.ts";
import { submitTask } from "./submit.ts";

/**
 * Accept an apply request (SPEC 2.1): what can be known now is checked now (callback URL
 * policy, os availability, the user's tenant, the platform's quota — issue 13.4); then the task row and its job
 * commit in one transaction.
 */
export async function acceptApply(
  deps: ApiDeps,
  caller: Caller,
  input: ApplyRequest,
  idem?: IdempotentRequest,
): Promise<Outcome> {
  return submitTask(
    deps,
    caller,
    {
      kind: "desktop.apply",
      request: input,
      callbackUrl: input.callback_url,
      check: async () => {
        const url = checkCallbackUrl(input.callback_url, deps.callbackPolicy);
        if (!url.ok) return rejected("invalid_request", text(`callback_url: ${url.reason}`));
        if (!deps.osImages[input.os]) {
          const available = Object.keys(deps.osImages).join(", ") || "none";
          return rejected(
            "invalid_request",
            text(
              `os: ${input.os} is not available on this platform (available: ${available})`,
              `os: 平台不提供 ${input.os}(可用: ${available})`,
            ),
          );
        }
        // a user of another tenant (or one no tenant owns yet) is not the caller's to add to
        const user = await findUser(deps.database.db, input.username);
        if (user && !canSee(caller, user)) return unknownUser(input.username);
        return quotaRefusal(deps, input.os);
      },
    },
    idem,
  );
}

/** The callback URL check shared by the async operations (SPEC 3: refused at request time). */
export function callbackRefusal(deps: ApiDeps, url: string | undefined) {
  if (url === undefined) return null;
  const checked = checkCallbackUrl(url, deps.callbackPolicy);
  return checked.ok ? null : rejected("invalid_request", text(`callback_url: ${checked.reason}`));
}

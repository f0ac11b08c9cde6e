import type { DesktopPowerRequest, DesktopRebuildRequest } from "@deskgate/contracts";
import type { Caller } from "../caller.ts";
import type { ApiDeps } from "../deps.ts";
import { callbackRefusal } from "./apply.ts";
import type { IdempotentRequest } from "./idempotency.ts";
import { desktopRefusal } from "./ownership.ts";
import { type Outcome, type Rejected, rejected, text } from "./reply.ts";
import { submitTask } from "./submit.ts";

/** Accept a power action (start / stop / reboot, soft or hard); asynchronous. */
export async function acceptDesktopPower(
  deps: ApiDeps,
  caller: Caller,
  input: DesktopPowerRequest,
  idem?: IdempotentRequest,
): Promise<Outcome> {
  return submitTask(
    deps,
    caller,
    {
      kind: "desktop.power",
      request: input,
      callbackUrl: input.callback_url,
      check: () => knownDesktop(deps, caller, input.desktop_uuid, input.callback_url),
    },
    idem,
  );
}

/**
 * Accept a rebuild (reimage of the system disk, data disks kept); asynchronous. An `os` without
 * a configured image is refused now (400), like an apply's.
 */
export async function acceptDesktopRebuild(
  deps: ApiDeps,
  caller: Caller,
  input: DesktopRebuildRequest,
  idem?: IdempotentRequest,
): Promise<Outcome> {
  return submitTask(
    deps,
    caller,
    {
      kind: "desktop.rebuild",
      request: input,
      callbackUrl: input.callback_url,
      check: async () => {
        const refused = await knownDesktop(deps, caller, input.desktop_uuid, input.callback_url);
        if (refused) return refused;
        if (input.os && !deps.osImages[input.os]) {
          const available = Object.keys(deps.osImages).join(", ") || "none";
          return rejected(
            "invalid_request",
            text(
              `os: ${input.os} is not available on this platform (available: ${available})`,
              `os: 平台不提供 ${input.os}(可用: ${available})`,
            ),
          );
        }
        return null;
      },
    },
    idem,
  );
}

/** A callback URL the SSRF policy allows, and a desktop of the caller's (else 404). */
async function knownDesktop(
  deps: ApiDeps,
  caller: Caller,
  desktopUuid: string,
  callbackUrl: string,
): Promise<Rejected | null> {
  return callbackRefusal(deps, callbackUrl) ?? desktopRefusal(deps, caller, desktopUuid);
}

import type { Context } from "hono";
import type { Caller } from "../caller.ts";
import type { ApiDeps } from "../deps.ts";
import { ApiError, outcomeResponse } from "../errors.ts";
import { languageFor } from "../middleware/language.ts";
import { type IdempotentRequest, idempotentRequest } from "../services/idempotency.ts";
import type { Outcome } from "../services/reply.ts";

/** The route edge's last step: the operation's outcome as the endpoint's envelope. */
export function respond(c: Context, outcome: Outcome) {
  return outcomeResponse(c, outcome, languageFor(c));
}

/**
 * The request's `Idempotency-Key`, scoped by (API key, method, path, key) with the body's
 * fingerprint; undefined without the header; a malformed key → 400.
 */
export function idempotencyOf(
  deps: Pick<ApiDeps, "box">,
  c: Context,
  caller: Caller,
  body: unknown,
): IdempotentRequest | undefined {
  const header = c.req.header("idempotency-key");
  if (header === undefined) return undefined;
  const made = idempotentRequest(
    deps.box,
    caller.apiKeyId,
    { method: c.req.method, path: c.req.path },
    header,
    body,
  );
  if (!made.ok) throw new ApiError("invalid_request", made.reason);
  return made.request;
}

import { defaultMessage, type ErrorCode, type Language, languageOf } from "@deskgate/contracts";
import type { ApiKeyScope } from "@deskgate/db";
import { initTRPC, type TRPCDefaultErrorShape, TRPCError } from "@trpc/server";
import { z } from "zod";
import { type Caller, hasScope } from "../caller.ts";
import type { ApiDeps } from "../deps.ts";
import { isDatabaseDown } from "../errors.ts";
import { authenticate, keyFromHeaders } from "../middleware/auth.ts";
import { formatIssues } from "../middleware/json-body.ts";
import { type IdempotentRequest, idempotentRequest } from "../services/idempotency.ts";
import type { Outcome } from "../services/reply.ts";

export interface TrpcContext {
  deps: ApiDeps;
  headers: Headers;
  /** The client's address (the failed-authentication throttle's key). */
  client: string;
  /** The HTTP request's X-Request-Id (stored on the tasks a call makes). */
  requestId?: string;
  /** Told the authenticated caller, so the request's log line names its key. */
  onCaller?: (caller: Caller) => void;
}

const t = initTRPC.context<TrpcContext>().create({
  // Stack traces never leave the server. (tRPC's default, `NODE_ENV !== "production"`, would send
  // them to every caller of a deskgate started without NODE_ENV.)
  isDev: false,
  errorFormatter: ({ shape, error, input, ctx }): TRPCDefaultErrorShape => ({
    ...shape,
    message: messageOf(error, input, languageOf(ctx?.headers.get("accept-language"))),
  }),
});

/**
 * The message a caller sees, as REST words it: a failed input validation names every bad field
 * ("username: is required; os: must be one of …", not zod's issue list); an unexpected error
 * says only that it was internal (the cause is logged by mountTrpc, not sent).
 */
function messageOf(error: TRPCError, input: unknown, lang: Language): string {
  if (error.code === "BAD_REQUEST" && error.cause instanceof z.core.$ZodError) {
    return formatIssues(error.cause.issues, input);
  }
  if (error.code === "INTERNAL_SERVER_ERROR" && error.cause !== undefined) {
    return defaultMessage("internal", lang);
  }
  return error.message;
}

export const router = t.router;

type TrpcCode = TRPCError["code"];
const CODES: Record<ErrorCode, TrpcCode> = {
  invalid_request: "BAD_REQUEST",
  invalid_json: "PARSE_ERROR",
  unsupported_media_type: "UNSUPPORTED_MEDIA_TYPE",
  unauthorized: "UNAUTHORIZED",
  forbidden: "FORBIDDEN",
  not_found: "NOT_FOUND",
  method_not_allowed: "METHOD_NOT_SUPPORTED",
  conflict: "CONFLICT",
  quota_exceeded: "CONFLICT",
  payload_too_large: "PAYLOAD_TOO_LARGE",
  idempotency_mismatch: "UNPROCESSABLE_CONTENT",
  rate_limited: "TOO_MANY_REQUESTS",
  task_failed: "UNPROCESSABLE_CONTENT",
  internal: "INTERNAL_SERVER_ERROR",
  unavailable: "SERVICE_UNAVAILABLE",
};

/** A database that cannot answer now is SERVICE_UNAVAILABLE, as REST's 503 (not INTERNAL). */
const guarded = t.procedure.use(async ({ ctx, next }) => {
  const result = await next();
  if (!result.ok && isDatabaseDown(result.error.cause ?? result.error)) {
    throw new TRPCError({
      code: "SERVICE_UNAVAILABLE",
      message: defaultMessage("unavailable", languageOf(ctx.headers.get("accept-language"))),
    });
  }
  return result;
});

/** The same API keys, scopes and rate limit as REST, from the request's headers. */
export function authed(scope: ApiKeyScope | "any") {
  return guarded.use(async ({ ctx, next }) => {
    const result = await authenticate(
      ctx.deps,
      keyFromHeaders((name) => ctx.headers.get(name)),
      ctx.client,
    );
    if (!result.ok) {
      throw new TRPCError({
        code: result.code === "rate_limited" ? "TOO_MANY_REQUESTS" : "UNAUTHORIZED",
        message:
          result.code === "rate_limited"
            ? `Too many requests; retry in ${result.retryAfter} s`
            : "Missing or unknown API key",
      });
    }
    if (scope !== "any" && !hasScope(result.caller, scope)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `This API key lacks the ${scope} scope` });
    }
    const caller: Caller = { ...result.caller, requestId: ctx.requestId };
    ctx.onCaller?.(caller);
    return next({ ctx: { caller, lang: languageOf(ctx.headers.get("accept-language")) } });
  });
}

/**
 * A mutation's input plus an optional `idempotencyKey`: the REST Idempotency-Key's semantics
 * (docs/api.md), per call — so each call of a batch has its own — scoped by API key, the
 * procedure and the key, fingerprinted over the rest of the input.
 */
export function withIdempotency<S extends z.ZodType>(schema: S) {
  return z.intersection(schema, z.object({ idempotencyKey: z.string().optional() }));
}

/** Split the key from the input; a malformed key is BAD_REQUEST, as REST's 400. */
export function idempotencyOfInput<T extends { idempotencyKey?: string | undefined }>(
  ctx: { deps: ApiDeps; caller: Caller },
  procedure: string,
  input: T,
): { body: Omit<T, "idempotencyKey">; idem: IdempotentRequest | undefined } {
  const { idempotencyKey, ...body } = input;
  if (idempotencyKey === undefined) return { body, idem: undefined };
  const at = { method: "TRPC", path: procedure };
  const made = idempotentRequest(ctx.deps.box, ctx.caller.apiKeyId, at, idempotencyKey, body);
  if (!made.ok) throw new TRPCError({ code: "BAD_REQUEST", message: `idempotencyKey: ${made.reason}` });
  return { body, idem: made.request };
}

/** An operation's outcome as a tRPC result: the envelope's `data`, or a TRPCError. */
export function unwrap<T>(outcome: Outcome, lang: "en" | "zh" = "en"): T {
  if (outcome.kind === "rejected") {
    throw new TRPCError({ code: CODES[outcome.code], message: outcome.message?.[lang] ?? outcome.code });
  }
  if (!outcome.ok) {
    throw new TRPCError({
      code: CODES[outcome.code ?? "task_failed"],
      message: outcome.message?.[lang] ?? "failed",
    });
  }
  return outcome.data as T;
}

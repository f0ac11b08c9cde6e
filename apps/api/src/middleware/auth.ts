import type { IncomingMessage } from "node:http";
import { type ApiKeyScope, tenantOfKey, touchApiKey } from "@deskgate/db";
import type { Context, MiddlewareHandler } from "hono";
import { type Caller, hasScope } from "../caller.ts";
import type { ApiDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";

/** The key of a request: `Authorization: Bearer <key>`, else `X-API-Key: <key>`. */
export function keyFromHeaders(get: (name: string) => string | undefined | null): string | null {
  const auth = get("authorization");
  const bearer = auth?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  const key = bearer ?? get("x-api-key")?.trim();
  return key ? key : null;
}

export type AuthResult =
  | { ok: true; caller: Caller }
  | { ok: false; code: "unauthorized" | "rate_limited"; retryAfter?: number };

/** The address a request came from (the socket's peer), for the failed-authentication throttle. */
export function clientAddress(c: Context): string {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress ?? "unknown";
}

/**
 * Look the key up (hash), refuse a missing, unknown or revoked one, and count it against its
 * limit. Failures are counted per client address: past `authFailuresPerMinute`, that address is
 * refused (rate_limited) without a look at the key until the minute ends, so keys cannot be
 * guessed at speed (issue 17.9).
 */
export async function authenticate(deps: ApiDeps, key: string | null, client: string): Promise<AuthResult> {
  const blocked = deps.authThrottle.over(client, deps.authFailuresPerMinute);
  if (blocked !== null) return { ok: false, code: "rate_limited", retryAfter: blocked };
  const row = key && key.length <= 200 ? await deps.apiKeys.lookup(key) : undefined;
  if (!row || row.revokedAt) {
    // a request with no key at all is a mistake, not a guess: not counted
    if (key) deps.authThrottle.hit(client, deps.authFailuresPerMinute);
    return { ok: false, code: "unauthorized" };
  }
  const caller: Caller = {
    apiKeyId: row.id,
    name: row.name,
    scopes: row.scopes,
    tenant: tenantOfKey(row),
    rateLimitPerMinute: row.rateLimitPerMinute,
  };
  const retryAfter = deps.rateLimiter.hit(row.id, row.rateLimitPerMinute ?? deps.defaultRateLimitPerMinute);
  if (retryAfter !== null) return { ok: false, code: "rate_limited", retryAfter };
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    row.lastUsedAt = new Date(); // the cached row too: touch at most once a minute
    void touchApiKey(deps.database.db, row.id).catch(() => {});
  }
  return { ok: true, caller };
}

/**
 * Require an API key with `scope` (admin implies all): missing / unknown / revoked → 401,
 * wrong scope → 403, over the key's rate → 429 with Retry-After. Sets `caller`.
 */
export function requireKey(deps: ApiDeps, scope: ApiKeyScope | "any"): MiddlewareHandler {
  return async (c, next) => {
    const result = await authenticate(
      deps,
      keyFromHeaders((name) => c.req.header(name)),
      clientAddress(c),
    );
    if (!result.ok) {
      if (result.code === "rate_limited") {
        throw new ApiError("rate_limited", undefined, { "Retry-After": String(result.retryAfter) });
      }
      throw new ApiError("unauthorized", undefined, { "WWW-Authenticate": 'Bearer realm="deskgate"' });
    }
    if (scope !== "any" && !hasScope(result.caller, scope)) {
      throw new ApiError("forbidden", {
        en: `This API key lacks the ${scope} scope this endpoint needs`,
        zh: `该 API 密钥缺少此接口所需的 ${scope} 权限`,
      });
    }
    c.set("caller", { ...result.caller, requestId: c.get("requestId") });
    await next();
  };
}

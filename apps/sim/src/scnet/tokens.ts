import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import type { SimContext } from "../context.ts";
import { scnetError } from "../errors.ts";
import type { RouteDef } from "../routes.ts";
import type { TokenRecord } from "../state.ts";

export const CLUSTER = { clusterId: "11112", clusterName: "sim-cluster" };

export function ok(c: Context, data: unknown): Response {
  return c.json({ code: "0", msg: "success", data });
}

/** A JWT-shaped opaque token like SCNet's (the payload carries user, cluster and expiry). */
function issue(ctx: SimContext, user: string, orgId: string): TokenRecord {
  const expiresAt = Date.now() + ctx.options.tokenTtlMs;
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const payload = {
    user,
    computeUser: user,
    clusterId: CLUSTER.clusterId,
    expireTime: String(expiresAt),
    orgId,
  };
  const token = `${part({ alg: "HS256", typ: "JWT" })}.${part(payload)}.${randomBytes(24).toString("base64url")}`;
  const record = { token, user, orgId, expiresAt };
  ctx.state.tokens.set(token, record);
  ctx.state.tokensIssued += 1;
  return record;
}

function tokenList(record: TokenRecord) {
  return [{ ...CLUSTER, token: record.token }];
}

/** The caller's token: missing → 10003, unknown or expired → 10008 (权限不足). */
export function requireToken(ctx: SimContext, c: Context, allowExpired = false): TokenRecord {
  const token = c.req.header("token");
  if (!token) throw scnetError("10003");
  const record = ctx.state.tokens.get(token);
  if (!record || (!allowExpired && record.expiresAt <= Date.now())) throw scnetError("10008");
  return record;
}

/** `POST /ac/openapi/v2/tokens`, `POST /ac/openapi/v2/tokens/next`, `GET /ac/openapi/v2/center`. */
export function tokenRoutes(ctx: SimContext): RouteDef[] {
  return [
    {
      method: "POST",
      path: "/ac/openapi/v2/tokens",
      handler: (c) => {
        const user = c.req.header("user");
        const password = c.req.header("password");
        const orgId = c.req.header("orgId");
        if (!user || !password || !orgId) throw scnetError("10003");
        const account = ctx.options.hpcAccounts.find((a) => a.user === user && a.orgId === orgId);
        if (!account || account.password !== password) throw scnetError("10008");
        return ok(c, tokenList(issue(ctx, user, orgId)));
      },
    },
    {
      method: "POST",
      path: "/ac/openapi/v2/tokens/next",
      handler: (c) => {
        // Renewal accepts an expired token (that is what it is for); the old token stops working.
        const old = requireToken(ctx, c, true);
        ctx.state.tokens.delete(old.token);
        return ok(c, tokenList(issue(ctx, old.user, old.orgId)));
      },
    },
    {
      method: "GET",
      path: "/ac/openapi/v2/center",
      handler: (c) => {
        requireToken(ctx, c);
        const origin = new URL(c.req.url).origin;
        return ok(c, {
          hpcUrls: [
            { url: "http://unreachable.invalid:1", enable: "false" },
            { url: origin, enable: "true" },
          ],
        });
      },
    },
  ];
}

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import type { SimContext } from "../context.ts";
import { scnetError } from "../errors.ts";
import type { RouteDef } from "../routes.ts";
import type { TokenRecord } from "../state.ts";

/**
 * The clusters every account may use, in the order SCNet lists them: the platform-level token
 * first (clusterId 0, "ac": AC APIs only), then one per computing cluster.
 */
export const CLUSTERS = [
  { clusterId: "0", clusterName: "ac" },
  { clusterId: "11112", clusterName: "sim-cluster" },
  { clusterId: "11113", clusterName: "sim-cluster-2" },
] as const;

export function ok(c: Context, data: unknown): Response {
  return c.json({ code: "0", msg: "success", data });
}

/** A JWT-shaped opaque token like SCNet's (the payload carries user, cluster and expiry). */
function issue(ctx: SimContext, user: string, orgId: string, clusterId: string): TokenRecord {
  const expiresAt = Date.now() + ctx.options.tokenTtlMs;
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const payload = {
    user,
    computeUser: user,
    clusterId,
    expireTime: String(expiresAt),
    orgId,
  };
  const token = `${part({ alg: "HS256", typ: "JWT" })}.${part(payload)}.${randomBytes(24).toString("base64url")}`;
  const record = { token, user, orgId, clusterId, expiresAt };
  ctx.state.tokens.set(token, record);
  return record;
}

/** One token per cluster, the platform's first (what `tokens`, `tokens/next` and v3 answer). */
function tokenList(ctx: SimContext, user: string, orgId: string) {
  ctx.state.tokensIssued += 1; // counts logins and renewals, one answer each
  return CLUSTERS.map((cluster) => ({ ...cluster, token: issue(ctx, user, orgId, cluster.clusterId).token }));
}

/** [GUESS] how far the v3 `timestamp` (seconds) may be from the server's clock. */
const V3_SKEW_S = 300;

/** The caller's token: missing → 10003, unknown or expired → 10008 (权限不足). */
export function requireToken(ctx: SimContext, c: Context, allowExpired = false): TokenRecord {
  const token = c.req.header("token");
  if (!token) throw scnetError("10003");
  const record = ctx.state.tokens.get(token);
  if (!record || (!allowExpired && record.expiresAt <= Date.now())) throw scnetError("10008");
  return record;
}

/** A cluster API (VNC): the platform-level token is refused ([GUESS] as 10008, 权限不足). */
export function requireClusterToken(ctx: SimContext, c: Context): TokenRecord {
  const record = requireToken(ctx, c);
  if (record.clusterId === "0") throw scnetError("10008");
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
        return ok(c, tokenList(ctx, user, orgId));
      },
    },
    {
      // AK/SK login ("recommended" by SCNet): signature = hex HMAC-SHA256(SK, the JSON
      // {"accessKey","timestamp","user"} in that order); timestamp in seconds.
      method: "POST",
      path: "/api/user/v3/tokens",
      handler: (c) => {
        const user = c.req.header("user");
        const accessKey = c.req.header("accessKey");
        const signature = c.req.header("signature");
        const timestamp = c.req.header("timestamp");
        if (!user || !accessKey || !signature || !timestamp) throw scnetError("10003");
        const account = ctx.options.hpcAccounts.find((a) => a.user === user && a.accessKey === accessKey);
        if (!account?.secretKey) throw scnetError("10008");
        if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > V3_SKEW_S) {
          throw scnetError("10008");
        }
        const expected = createHmac("sha256", account.secretKey)
          .update(JSON.stringify({ accessKey, timestamp, user }))
          .digest("hex");
        if (
          expected.length !== signature.length ||
          !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
        ) {
          throw scnetError("10008");
        }
        return ok(c, tokenList(ctx, user, account.orgId));
      },
    },
    {
      method: "POST",
      path: "/ac/openapi/v2/tokens/next",
      handler: (c) => {
        // Renewal accepts an expired token (that is what it is for); the old token stops working.
        const old = requireToken(ctx, c, true);
        ctx.state.tokens.delete(old.token);
        return ok(c, tokenList(ctx, old.user, old.orgId));
      },
    },
    {
      method: "GET",
      path: "/ac/openapi/v2/center",
      handler: (c) => {
        requireToken(ctx, c);
        const origin = new URL(c.req.url).origin;
        return ok(c, {
          hpcUrls: ctx.options.hpcUrls ?? [
            { url: "http://unreachable.invalid:1", enable: "false" },
            { url: origin, enable: "true" },
          ],
        });
      },
    },
  ];
}

import { randomBytes } from "node:crypto";
import type { Context, Hono, MiddlewareHandler } from "hono";
import type { SimContext } from "../context.ts";
import { VDI } from "../errors.ts";
import { isObject } from "../http.ts";
import { expectedSignature, parseAuthorization, parseSdkDate, sameHex } from "./signature.ts";

/** An IAM token the simulator issued: valid until `expiresAt`, for the project or only the domain. */
export interface IamToken {
  user: string;
  expiresAt: number;
  projectScoped: boolean;
}

/**
 * The API gateway in front of `/v2/*` (UPSTREAM-VDI 1.2, 8.1): a request passes with a valid
 * SDK-HMAC-SHA256 signature (`X-Sdk-Date` within the allowed skew, `X-Security-Token` when the
 * AK/SK is temporary), or an unexpired project-scoped IAM token, or the configured fixed token.
 * Anything else is `401 APIGW.0301`.
 */
export function gatewayAuth(ctx: SimContext): MiddlewareHandler {
  return async (c, next) => {
    const refusal = await check(ctx, c);
    if (refusal) {
      ctx.stats.auth_rejected += 1;
      return c.json(
        {
          error_code: VDI.auth,
          error_msg: `Incorrect IAM authentication information: ${refusal}`,
        },
        401,
      );
    }
    await next();
  };
}

async function check(ctx: SimContext, c: Context): Promise<string | null> {
  const { options } = ctx;
  const authorization = c.req.header("Authorization");
  if (authorization) {
    const parsed = parseAuthorization(authorization);
    if (!parsed)
      return "the Authorization header is not SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=….";
    if (parsed.access !== options.accessKey) return "the access key is unknown.";
    if (!parsed.signedHeaders.includes("x-sdk-date")) return "x-sdk-date must be a signed header.";
    const date = c.req.header("X-Sdk-Date") ?? "";
    const at = parseSdkDate(date);
    if (at === null) return "X-Sdk-Date is missing or not YYYYMMDDTHHMMSSZ.";
    if (Math.abs(Date.now() - at) > options.maxClockSkewMs) {
      return `the request has expired: X-Sdk-Date ${date} is more than ${Math.round(options.maxClockSkewMs / 60_000)} minutes from the server's time.`;
    }
    if (options.securityToken !== undefined) {
      if (c.req.header("X-Security-Token") !== options.securityToken)
        return "X-Security-Token is missing or invalid.";
      if (!parsed.signedHeaders.includes("x-security-token"))
        return "x-security-token must be a signed header.";
    }
    const expected = expectedSignature({
      method: c.req.method,
      url: new URL(c.req.url),
      header: (name) => c.req.header(name),
      signedHeaders: parsed.signedHeaders,
      body: await c.req.text(),
      sdkDate: date,
      secretKey: options.secretKey,
    });
    return sameHex(expected, parsed.signature) ? null : "the signature does not match.";
  }
  const token = c.req.header("X-Auth-Token");
  if (!token) return "neither an Authorization signature nor an X-Auth-Token header was sent.";
  if (options.authToken && token === options.authToken) return null;
  const issued = ctx.iamTokens.get(token);
  if (!issued) return "the X-Auth-Token is invalid.";
  if (issued.expiresAt <= Date.now()) return "the token has expired.";
  if (!issued.projectScoped) return "the token is not scoped to a project.";
  return null;
}

/**
 * `POST /v3/auth/tokens` of IAM (UPSTREAM-VDI 1.2): `password` for a configured IAM user,
 * `assume_role` of a configured agency (with the user's token in X-Auth-Token). 201 with the
 * token in `X-Subject-Token` and `token.expires_at` = now + `iamTokenTtlMs`. Refusals are
 * Keystone-shaped: `{"error":{"code","message","title"}}`.
 */
export function mountIam(app: Hono, ctx: SimContext): void {
  app.post("/v3/auth/tokens", async (c) => {
    const { options } = ctx;
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return keystone(c, 400, "The request body is not valid JSON.");
    }
    const auth = isObject(body) && isObject(body.auth) ? body.auth : null;
    const identity = auth && isObject(auth.identity) ? auth.identity : null;
    const methods = identity && Array.isArray(identity.methods) ? identity.methods : [];
    const scope = auth && isObject(auth.scope) ? auth.scope : {};
    const project = isObject(scope.project) ? scope.project : null;
    if (project && project.id !== options.projectId && project.name !== options.projectId) {
      return keystone(c, 401, "The project in scope.project does not exist or is not accessible.");
    }
    let user: string;
    if (methods[0] === "password" && isObject(identity!.password) && isObject(identity!.password.user)) {
      const u = identity!.password.user;
      const domain = isObject(u.domain) ? u.domain.name : undefined;
      const known = options.iamUsers.find((x) => x.user === u.name && x.domain === domain);
      if (!known || known.password !== u.password) {
        return keystone(c, 401, "The username or password is wrong.");
      }
      user = known.user;
    } else if (methods[0] === "assume_role" && isObject(identity!.assume_role)) {
      const caller = ctx.iamTokens.get(c.req.header("X-Auth-Token") ?? "");
      if (!caller || caller.expiresAt <= Date.now()) {
        return keystone(c, 401, "assume_role needs a valid token of the delegated user in X-Auth-Token.");
      }
      const role = identity!.assume_role;
      const agency = options.agencies.find(
        (a) => a.domain === role.domain_name && a.name === role.agency_name,
      );
      if (!agency) return keystone(c, 403, "The agency does not exist or does not trust this user.");
      user = `${agency.domain}/${agency.name}`;
    } else {
      return keystone(c, 400, 'auth.identity.methods must be ["password"] or ["assume_role"].');
    }
    const token = `MII${randomBytes(48).toString("base64url")}`;
    const now = Date.now();
    const expiresAt = now + options.iamTokenTtlMs;
    ctx.iamTokens.set(token, { user, expiresAt, projectScoped: project !== null });
    for (const [t, info] of ctx.iamTokens) if (info.expiresAt <= now) ctx.iamTokens.delete(t);
    ctx.stats.iam_tokens_issued += 1;
    c.header("X-Subject-Token", token);
    return c.json(
      {
        token: {
          methods,
          issued_at: new Date(now).toISOString(),
          expires_at: new Date(expiresAt).toISOString(),
          user: { name: user },
          ...(project ? { project: { id: options.projectId, name: options.projectId } } : {}),
        },
      },
      201,
    );
  });
}

function keystone(c: Context, status: 400 | 401 | 403, message: string): Response {
  const title = status === 400 ? "Bad Request" : status === 401 ? "Unauthorized" : "Forbidden";
  return c.json({ error: { code: status, message, title } }, status);
}

import type { Clock } from "@deskgate/runtime";
import { UpstreamError } from "../../../errors.ts";
import type { JsonHttpClient, JsonResponse } from "../../../http.ts";

/** IAM password login: a user of an account (domain) gets a token scoped to the project. */
export interface IamPasswordAuth {
  mode: "password";
  /** e.g. https://iam.cn-north-4.myhuaweicloud.com (or the simulator's URL). */
  iamUrl: string;
  /** The account (domain) name the IAM user belongs to. */
  domain: string;
  user: string;
  password: string;
}

/**
 * IAM agency (assume_role): the user logs in to its own account, then assumes `agencyName`
 * of account `agencyDomain`, which delegated the Workspace permissions to it.
 */
export interface IamAgencyAuth extends Omit<IamPasswordAuth, "mode"> {
  mode: "agency";
  agencyDomain: string;
  agencyName: string;
}

export interface IamTokenSource {
  /** A valid token: the cached one, or a fresh one (concurrent callers share one login). */
  get(): Promise<string>;
  /** The platform refused `token` (401): forget it, so the next `get` logs in again. */
  invalidate(token: string): void;
}

interface Held {
  token: string;
  expiresAt: number;
  renewAfter: number;
}

/** Share of the token's lifetime after which it is renewed (24 h → after 19.2 h). */
const RENEW_AT = 0.8;

/**
 * `POST /v3/auth/tokens` (UPSTREAM-VDI 1.2): the token is the `X-Subject-Token` header, its end
 * the body's `token.expires_at`. Kept in memory, renewed once 80 % of its life has passed;
 * if that renewal fails while the token still lives, the token is used until it expires.
 */
export function createIamTokenSource(opts: {
  auth: IamPasswordAuth | IamAgencyAuth;
  projectId: string;
  http: JsonHttpClient;
  clock: Clock;
}): IamTokenSource {
  const { auth, projectId, http, clock } = opts;
  const url = `${auth.iamUrl.replace(/\/+$/, "")}/v3/auth/tokens`;
  let held: Held | null = null;
  let pending: Promise<Held> | null = null;

  const login = async (): Promise<Held> => {
    const password = {
      user: { name: auth.user, password: auth.password, domain: { name: auth.domain } },
    };
    if (auth.mode === "password") {
      return issue(
        "IAM password login",
        {},
        { identity: { methods: ["password"], password }, scope: { project: { id: projectId } } },
      );
    }
    const own = await issue(
      "IAM password login",
      {},
      { identity: { methods: ["password"], password }, scope: { domain: { name: auth.domain } } },
    );
    return issue(
      "IAM assume agency",
      { "X-Auth-Token": own.token },
      {
        identity: {
          methods: ["assume_role"],
          assume_role: { domain_name: auth.agencyDomain, agency_name: auth.agencyName },
        },
        scope: { project: { id: projectId } },
      },
    );
  };

  const issue = async (what: string, headers: Record<string, string>, body: unknown): Promise<Held> => {
    const res = await http.call("POST", url, headers, JSON.stringify({ auth: body }));
    if (res.status !== 201 && res.status !== 200) throw iamError(res, what);
    const token = res.header?.("x-subject-token");
    const expires = Date.parse(String((res.body as { token?: { expires_at?: unknown } })?.token?.expires_at));
    if (!token || Number.isNaN(expires)) {
      throw new UpstreamError({
        message: `${what}: IAM answered without X-Subject-Token or token.expires_at`,
        transient: false,
        reason: "auth",
        httpStatus: res.status,
        requestId: res.requestId,
      });
    }
    const now = clock.now().getTime();
    return { token, expiresAt: expires, renewAfter: now + Math.max(0, expires - now) * RENEW_AT };
  };

  const renew = (): Promise<Held> => {
    pending ??= login().then(
      (fresh) => {
        held = fresh;
        pending = null;
        return fresh;
      },
      (e: unknown) => {
        pending = null;
        throw e;
      },
    );
    return pending;
  };

  return {
    async get() {
      const now = clock.now().getTime();
      if (held && now < held.renewAfter) return held.token;
      const current = held;
      try {
        return (await renew()).token;
      } catch (e) {
        if (current && now < current.expiresAt && held === current) return current.token;
        throw e;
      }
    },
    invalidate(token) {
      if (held?.token === token) held = null;
    },
  };
}

/** IAM errors are Keystone-shaped (`{"error":{"code","message"}}`); 429, 5xx are transient. */
function iamError(res: JsonResponse, what: string): UpstreamError {
  const body = res.body as { error?: { message?: unknown; code?: unknown }; error_msg?: unknown } | null;
  const text = body?.error?.message ?? body?.error_msg ?? `HTTP ${res.status}`;
  const transient = res.status === 429 || res.status >= 500;
  return new UpstreamError({
    message: `${what}: ${String(text)}`,
    transient,
    reason: transient ? (res.status === 429 ? "throttled" : "unavailable") : "auth",
    platformCode: typeof body?.error?.code === "string" ? body.error.code : null,
    httpStatus: res.status,
    requestId: res.requestId,
    retryAfterMs: res.retryAfterMs,
  });
}

import { UpstreamError } from "../../errors.ts";
import type { HpcCredentials, HpcPlatform, HpcToken, HpcVncSession } from "../../hpc-port.ts";
import { JsonHttpClient } from "../../http.ts";
import { createRateLimiter } from "../../rate-limit.ts";
import { type RetryOptions, withRetry } from "../../retry.ts";
import { classifyScnet, envelope, isSuccess } from "./classify.ts";
import type { ScnetOptions } from "./options.ts";

export type ScnetPlatform = HpcPlatform & { close(): Promise<void> };

const VNC = "/hpc/openapi/v2/desktop/vnc";

/**
 * HpcPlatform over SCNet / Sugon AC OpenAPI 2.0 (SPEC 2.8, seed 001). Tokens are the caller's:
 * every call takes one, and an expired one surfaces as reason "auth" (10008).
 */
export function createScnetPlatform(opts: ScnetOptions): ScnetPlatform {
  const http = new JsonHttpClient({
    timeoutMs: opts.requestTimeoutMs ?? 30_000,
    limiter: createRateLimiter(opts.ratePerSecond ?? 0, opts.rateBurst ?? 1),
  });
  const base = trimSlash(opts.baseUrl);
  const retry: RetryOptions = { attempts: 4, baseDelayMs: 200, maxDelayMs: 5000, ...opts.retry };

  /** One call: success is code "0" in a 2xx answer; the envelope's `data` is returned. */
  const call = (what: string, method: string, url: string, headers: Record<string, string>) =>
    withRetry(async () => {
      const res = await http.call(method, url, headers);
      const env = envelope(res);
      if (isSuccess(res, env)) return env.data;
      throw classifyScnet(res, env, what);
    }, retry);

  const tokenOf = async (what: string, url: string, headers: Record<string, string>): Promise<HpcToken> => {
    const data = await call(what, "POST", url, headers);
    const first = Array.isArray(data) ? (data[0] as Record<string, unknown> | undefined) : undefined;
    if (!first || typeof first.token !== "string") throw malformed(what, "no token in data");
    return {
      token: first.token,
      clusterId: String(first.clusterId ?? ""),
      clusterName: String(first.clusterName ?? ""),
    };
  };

  const vncUrl = (hpcUrl: string, sessionId?: string, tail = "") =>
    `${trimSlash(hpcUrl)}${VNC}${sessionId === undefined ? "" : `/${encodeURIComponent(sessionId)}`}${tail}`;

  return {
    name: "scnet",

    getToken(credentials: HpcCredentials) {
      return tokenOf("get token", `${base}/ac/openapi/v2/tokens`, {
        user: credentials.user,
        password: credentials.password,
        orgId: credentials.orgId,
      });
    },

    renewToken(token) {
      return tokenOf("renew token", `${base}/ac/openapi/v2/tokens/next`, { token });
    },

    async discoverHpcUrl(token) {
      const data = (await call("discover hpc url", "GET", `${base}/ac/openapi/v2/center`, { token })) as {
        hpcUrls?: { url?: unknown; enable?: unknown }[];
      } | null;
      const enabled = (data?.hpcUrls ?? []).find(
        (u) => typeof u.url === "string" && u.url && (u.enable === true || u.enable === "true"),
      );
      if (!enabled) throw malformed("discover hpc url", "the centre lists no enabled hpcUrls entry");
      return trimSlash(enabled.url as string);
    },

    async openVnc(hpcUrl, token) {
      return session("open vnc", await call("open vnc", "PUT", vncUrl(hpcUrl), { token }));
    },

    async listVnc(hpcUrl, token) {
      const data = await call("list vnc", "GET", vncUrl(hpcUrl), { token });
      if (data === null) return [];
      if (!Array.isArray(data)) throw malformed("list vnc", "data is not a list");
      return data.map((s) => session("list vnc", s));
    },

    async closeVnc(hpcUrl, token, sessionId) {
      try {
        await call("close vnc", "DELETE", vncUrl(hpcUrl, sessionId), { token });
      } catch (e) {
        // 815010: the session does not exist (already closed): the close is done.
        if (e instanceof UpstreamError && e.platformCode === "815010") return;
        throw e;
      }
    },

    async launchUrl(hpcUrl, token, sessionId) {
      const data = await call("launch url", "GET", vncUrl(hpcUrl, sessionId, "/launchurl"), { token });
      if (typeof data !== "string" || !data) throw malformed("launch url", "data is not a URL");
      return data;
    },

    close: () => http.close(),
  };
}

const FIELDS = [
  "id",
  "createDate",
  "hostname",
  "jobs",
  "length",
  "width",
  "name",
  "sid",
  "user",
  "ip",
  "sessionId",
] as const;

/** A VNC session with seed 001's field names, every field a string. */
function session(what: string, raw: unknown): HpcVncSession {
  if (typeof raw !== "object" || raw === null) throw malformed(what, "data is not a session");
  const r = raw as Record<string, unknown>;
  if (typeof r.sessionId !== "string" || !r.sessionId) throw malformed(what, "the session has no sessionId");
  const out = {} as Record<(typeof FIELDS)[number], string>;
  for (const f of FIELDS) out[f] = r[f] === undefined || r[f] === null ? "" : String(r[f]);
  return out;
}

function malformed(what: string, detail: string): UpstreamError {
  return new UpstreamError({
    message: `${what}: unexpected answer from SCNet: ${detail}`,
    transient: false,
    reason: "unknown",
  });
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

import { createHmac } from "node:crypto";
import { systemClock } from "@deskgate/runtime";
import { UpstreamError } from "../../errors.ts";
import type { HpcCredentials, HpcPlatform, HpcToken, HpcVncSession } from "../../hpc-port.ts";
import { JsonHttpClient } from "../../http.ts";
import { createRateLimiter } from "../../rate-limit.ts";
import { type RetryOptions, withRetry } from "../../retry.ts";
import { createUpstreamUrlPolicy } from "../../url-policy.ts";
import { classifyScnet, envelope, isSuccess } from "./classify.ts";
import type { ScnetOptions } from "./options.ts";

export type ScnetPlatform = HpcPlatform & { close(): Promise<void> };

const VNC = "/hpc/openapi/v2/desktop/vnc";

/**
 * HpcPlatform over SCNet / Sugon AC OpenAPI 2.0 (SPEC 2.8, seed 001). Tokens are the caller's:
 * every call takes one, and an expired one surfaces as reason "auth" (10008).
 */
export function createScnetPlatform(opts: ScnetOptions): ScnetPlatform {
  const limiter = createRateLimiter(opts.ratePerSecond ?? 0, opts.rateBurst ?? 1);
  const timeoutMs = opts.requestTimeoutMs ?? 30_000;
  // The configured AC origin is the operator's; the HPC URLs come from the platform's answer.
  const http = new JsonHttpClient({ timeoutMs, limiter });
  const urlPolicy = createUpstreamUrlPolicy(opts.urlPolicy);
  const hpcHttp = new JsonHttpClient({ timeoutMs, limiter, connect: urlPolicy.connect });
  const base = trimSlash(opts.baseUrl);
  const retry: RetryOptions = { attempts: 4, baseDelayMs: 200, maxDelayMs: 5000, ...opts.retry };

  /** One call: success is code "0" in a 2xx answer; the envelope's `data` is returned. */
  const call = (
    what: string,
    method: string,
    url: string,
    headers: Record<string, string>,
    client: JsonHttpClient = http,
  ) =>
    withRetry(async () => {
      const res = await client.call(method, url, headers);
      const env = envelope(res);
      if (isSuccess(res, env)) return env.data;
      throw classifyScnet(res, env, what);
    }, retry);

  const tokenOf = async (
    what: string,
    url: string,
    headers: Record<string, string>,
    cluster: string | null | undefined,
  ): Promise<HpcToken> => pickToken(what, await call(what, "POST", url, headers), cluster ?? null);

  /** An HPC URL is checked on every use too: one cached before the policy existed is not trusted. */
  const vncUrl = (hpcUrl: string, sessionId?: string, tail = "") => {
    const why = urlPolicy.refusal(hpcUrl);
    if (why !== null) throw refused(`${hpcUrl} ${why}`);
    return `${trimSlash(hpcUrl)}${VNC}${sessionId === undefined ? "" : `/${encodeURIComponent(sessionId)}`}${tail}`;
  };

  return {
    name: "scnet",

    getToken(credentials: HpcCredentials) {
      if ("accessKey" in credentials) {
        const timestamp = String(Math.floor((opts.clock ?? systemClock).now().getTime() / 1000));
        const { user, accessKey } = credentials;
        // SCNet's v3 signature: hex HMAC-SHA256(SK, {"accessKey","timestamp","user"} in that order)
        const signature = createHmac("sha256", credentials.secretKey)
          .update(JSON.stringify({ accessKey, timestamp, user }))
          .digest("hex");
        return tokenOf(
          "get token",
          `${base}/api/user/v3/tokens`,
          { user, accessKey, timestamp, signature },
          credentials.cluster,
        );
      }
      return tokenOf(
        "get token",
        `${base}/ac/openapi/v2/tokens`,
        { user: credentials.user, password: credentials.password, orgId: credentials.orgId },
        credentials.cluster,
      );
    },

    renewToken(token, cluster) {
      return tokenOf("renew token", `${base}/ac/openapi/v2/tokens/next`, { token }, cluster);
    },

    async discoverHpcUrl(token) {
      const data = (await call("discover hpc url", "GET", `${base}/ac/openapi/v2/center`, { token })) as {
        hpcUrls?: { url?: unknown; enable?: unknown }[];
      } | null;
      const enabled = (data?.hpcUrls ?? []).filter(
        (u): u is { url: string } =>
          typeof u.url === "string" && u.url !== "" && (u.enable === true || u.enable === "true"),
      );
      if (enabled.length === 0)
        throw malformed("discover hpc url", "the centre lists no enabled hpcUrls entry");
      const refusals: string[] = [];
      for (const { url } of enabled) {
        const why = urlPolicy.refusal(url);
        if (why === null) return trimSlash(url);
        refusals.push(`${url} ${why}`);
      }
      throw refused(refusals.join("; "));
    },

    async openVnc(hpcUrl, token) {
      return session("open vnc", await call("open vnc", "PUT", vncUrl(hpcUrl), { token }, hpcHttp));
    },

    async listVnc(hpcUrl, token) {
      const data = await call("list vnc", "GET", vncUrl(hpcUrl), { token }, hpcHttp);
      if (data === null) return [];
      if (!Array.isArray(data)) throw malformed("list vnc", "data is not a list");
      return data.map((s) => session("list vnc", s));
    },

    async closeVnc(hpcUrl, token, sessionId) {
      try {
        await call("close vnc", "DELETE", vncUrl(hpcUrl, sessionId), { token }, hpcHttp);
      } catch (e) {
        // 815010: the session does not exist (already closed): the close is done.
        if (e instanceof UpstreamError && e.platformCode === "815010") return;
        throw e;
      }
    },

    async launchUrl(hpcUrl, token, sessionId) {
      const data = await call(
        "launch url",
        "GET",
        vncUrl(hpcUrl, sessionId, "/launchurl"),
        { token },
        hpcHttp,
      );
      if (typeof data !== "string" || !data) throw malformed("launch url", "data is not a URL");
      return data;
    },

    close: async () => {
      await Promise.all([http.close(), hpcHttp.close()]);
    },
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

/**
 * SCNet answers one token per cluster the account may use, the platform-level one (clusterId 0,
 * "ac", good only for AC APIs) among them. The configured cluster's (by id or name), else the
 * first computing cluster's. A listed cluster whose token is null is a suspended account.
 */
export function pickToken(what: string, data: unknown, cluster: string | null): HpcToken {
  const list = (Array.isArray(data) ? data : []).filter(
    (t): t is Record<string, unknown> => typeof t === "object" && t !== null,
  );
  const view = (t: Record<string, unknown>) => ({
    token: t.token,
    clusterId: String(t.clusterId ?? ""),
    clusterName: String(t.clusterName ?? ""),
  });
  const entries = list.map(view);
  const platform = (t: { clusterId: string; clusterName: string }) =>
    t.clusterId === "0" || t.clusterName === "ac";
  const chosen =
    cluster === null
      ? (entries.find((t) => !platform(t) && typeof t.token === "string") ??
        entries.find((t) => !platform(t)))
      : entries.find((t) => t.clusterId === cluster || t.clusterName === cluster);
  if (!chosen) {
    const known = entries.map((t) => `${t.clusterId} (${t.clusterName})`).join(", ") || "none";
    throw new UpstreamError({
      message:
        cluster === null
          ? `${what}: SCNet lists no computing cluster for the account (clusters: ${known})`
          : `${what}: cluster ${cluster} is not among the account's clusters: ${known}`,
      transient: false,
      reason: "invalid",
    });
  }
  if (typeof chosen.token !== "string" || chosen.token === "") {
    throw new UpstreamError({
      message: `${what}: SCNet gave no token for cluster ${chosen.clusterId} (${chosen.clusterName}): the account is suspended there`,
      transient: false,
      reason: "auth",
    });
  }
  return { token: chosen.token, clusterId: chosen.clusterId, clusterName: chosen.clusterName };
}

/** The centre offered HPC URLs the address policy refuses: permanent, nothing is sent there. */
function refused(detail: string): UpstreamError {
  return new UpstreamError({
    message: `SCNet HPC URL refused by the upstream address policy (DESKGATE_UPSTREAM_ALLOWLIST, DESKGATE_UPSTREAM_ALLOW_HTTP): ${detail}`,
    transient: false,
    reason: "invalid",
  });
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

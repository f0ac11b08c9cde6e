import { z } from "zod";

const DEFAULT_SIM_URL = "http://127.0.0.1:8090";

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === "" ? undefined : value));

const EncryptionKey = z
  .string({ error: "is required: 32 random bytes, base64 (openssl rand -base64 32)" })
  .transform((value, ctx) => {
    const key = Buffer.from(value, "base64");
    if (key.length !== 32) {
      ctx.addIssue({ code: "custom", message: `must be 32 bytes base64-encoded (got ${key.length} bytes)` });
      return z.NEVER;
    }
    return key;
  });

const OsImages = z
  .string()
  .default(
    "win7=00000000-0000-4000-8000-000000000007,win10=00000000-0000-4000-8000-000000000010," +
      "kylin=00000000-0000-4000-8000-000000000020,macos=00000000-0000-4000-8000-000000000030",
  )
  .transform((value, ctx) => {
    const images: Record<string, string> = {};
    for (const entry of value
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [os, imageId] = entry.split("=").map((s) => s.trim());
      if (!os || !imageId || !["win7", "win10", "kylin", "macos"].includes(os)) {
        ctx.addIssue({
          code: "custom",
          message: `bad entry "${entry}": expected <win7|win10|kylin|macos>=<image id>`,
        });
        return z.NEVER;
      }
      images[os] = imageId;
    }
    return images as Partial<Record<"win7" | "win10" | "kylin" | "macos", string>>;
  });

/**
 * Every setting deskgate reads, from environment variables. Parsed once at start by
 * `loadConfig`; nothing else reads `process.env`. `.env.example` documents each one.
 */
export const ConfigSchema = z.object({
  DATABASE_URL: optionalString,
  PORT: port(8080),
  DESKGATE_HOST: z.string().default("127.0.0.1"),
  DESKGATE_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DESKGATE_ENCRYPTION_KEY: EncryptionKey,
  DESKGATE_WEBHOOK_SECRET: optionalString.refine(
    (v) => v === undefined || /^whsec_[A-Za-z0-9+/=]{32,}$/.test(v),
    {
      message: "must be a Standard Webhooks secret: whsec_<base64 of 24–64 random bytes>",
    },
  ),
  /**
   * Host names, IPs and CIDRs, each optionally `:port` or `:lo-hi`, that open otherwise blocked
   * callback receivers (@deskgate/webhooks parses it; a bad entry stops the start).
   */
  DESKGATE_CALLBACK_ALLOWLIST: z.string().default(""),
  /**
   * More ports of this deployment on this host that no callback may reach (a reverse proxy in
   * front of the api, other api processes), on top of the ones deskgate knows (issue 17.4).
   */
  DESKGATE_OWN_PORTS: z
    .string()
    .default("")
    .transform((value, ctx) => {
      const ports: number[] = [];
      for (const item of value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)) {
        const port = /^\d{1,5}$/.test(item) ? Number(item) : Number.NaN;
        if (!(port >= 1 && port <= 65535)) {
          ctx.addIssue({
            code: "custom",
            message: `bad port "${item}": expected comma-separated ports 1-65535`,
          });
          return z.NEVER;
        }
        ports.push(port);
      }
      return ports;
    }),
  /**
   * URLs an upstream hands out (SCNet's hpcUrls) pass the callbacks' address policy with this
   * allowlist of their own (host names, IPs, CIDRs); http only with DESKGATE_UPSTREAM_ALLOW_HTTP.
   */
  DESKGATE_UPSTREAM_ALLOWLIST: z.string().default(""),
  DESKGATE_UPSTREAM_ALLOW_HTTP: z
    .enum(["true", "false"], { error: "must be true or false" })
    .default("false")
    .transform((v) => v === "true"),
  /** The admin key ensured at start: at least 32 characters (issue 17.9), e.g. `dg_` + 48 hex. */
  DESKGATE_BOOTSTRAP_API_KEY: optionalString.refine((v) => v === undefined || v.length >= 32, {
    message: "must be at least 32 characters (e.g. dg_ then `openssl rand -hex 24`)",
  }),
  DESKGATE_DEFAULT_PASSWORD: optionalString,
  DESKGATE_VDI_URL: z.url({ message: "must be an http(s) URL" }).default(DEFAULT_SIM_URL),
  DESKGATE_VDI_PROJECT_ID: z.string().default("sim-project"),
  /**
   * How deskgate authenticates to Workspace: `aksk` (SDK-HMAC-SHA256 request signing, Huawei's
   * recommendation), `password` (IAM user token), `agency` (IAM assume_role token) or `token`
   * (a fixed X-Auth-Token, never renewed). The AK/SK defaults are the bundled simulator's.
   */
  DESKGATE_VDI_AUTH: z
    .enum(["aksk", "password", "agency", "token"], { error: "must be aksk, password, agency or token" })
    .default("aksk"),
  DESKGATE_VDI_AK: z.string().min(1).default("sim-ak"),
  DESKGATE_VDI_SK: z.string().min(1).default("sim-sk"),
  /** Set with a temporary AK/SK (STS): sent and signed as X-Security-Token. */
  DESKGATE_VDI_SECURITY_TOKEN: optionalString,
  /** IAM endpoint for password/agency, e.g. https://iam.cn-north-4.myhuaweicloud.com. */
  DESKGATE_VDI_IAM_URL: optionalString.pipe(z.url({ message: "must be an http(s) URL" }).optional()),
  DESKGATE_VDI_IAM_DOMAIN: optionalString,
  DESKGATE_VDI_IAM_USER: optionalString,
  DESKGATE_VDI_IAM_PASSWORD: optionalString,
  /** agency mode: the account that delegated Workspace to the IAM user, and the agency's name. */
  DESKGATE_VDI_AGENCY_DOMAIN: optionalString,
  DESKGATE_VDI_AGENCY_NAME: optionalString,
  /** token mode only. */
  DESKGATE_VDI_TOKEN: z.string().default("sim-token"),
  DESKGATE_VDI_OS_IMAGES: OsImages,
  /** The platform offers the simulator's set-password extension (real Workspace does not). */
  DESKGATE_VDI_SET_PASSWORD: z
    .enum(["true", "false"], { error: "must be true or false" })
    .default("false")
    .transform((v) => v === "true"),
  DESKGATE_VDI_PRODUCT_WINDOWS: z.string().default("workspace.x86.c2m4.windows"),
  DESKGATE_VDI_PRODUCT_LINUX: z.string().default("workspace.x86.c2m4.linux"),
  DESKGATE_VDI_POLL_INTERVAL_MS: z.coerce.number().int().min(10).default(5000),
  DESKGATE_VDI_JOB_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(30 * 60 * 1000),
  /** Leases (issue 14): the lease.expiring notice this many days before the end; the delete this many days after it. */
  DESKGATE_LEASE_NOTICE_DAYS: z.coerce.number().min(0).max(365).default(3),
  DESKGATE_LEASE_GRACE_DAYS: z.coerce.number().min(0).max(365).default(7),
  DESKGATE_HPC_URL: z.url({ message: "must be an http(s) URL" }).default(DEFAULT_SIM_URL),
  /** Client-side limits on calls per second to each platform, per worker process (0 = none). */
  DESKGATE_VDI_RATE_PER_SEC: z.coerce.number().min(0).default(3),
  DESKGATE_HPC_RATE_PER_SEC: z.coerce.number().min(0).default(5),
  DESKGATE_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(20),
  DESKGATE_CALLBACK_TIMEOUT_MS: z.coerce.number().int().min(100).default(15000),
  /**
   * Drill/testing knob: every callback retry delay is multiplied by this (0 < scale ≤ 1,
   * default 1 = the real 27-hour schedule). Not for production.
   */
  DESKGATE_CALLBACK_RETRY_SCALE: z.coerce
    .number({ error: "must be a number in (0, 1]" })
    .gt(0, { error: "must be a number in (0, 1]" })
    .max(1, { error: "must be a number in (0, 1]" })
    .default(1),
  /** Per-request timeout of upstream platform calls (VDI and HPC), ms (default 30000). */
  DESKGATE_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** How long a synchronous request (policy-update, pwd-reset, VNC) waits before answering 202. */
  DESKGATE_SYNC_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(15000),
  /** Requests per minute per API key unless the key has its own `rate_limit_per_minute`. */
  DESKGATE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** Failed authentications per client address and minute before every attempt is refused (429). */
  DESKGATE_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  /** `off` hides the api's /metrics (default on). */
  DESKGATE_METRICS: z
    .enum(["on", "off"], { error: "must be on or off" })
    .default("on")
    .transform((v) => v === "on"),
  /**
   * A token `/metrics` (api and worker) then asks for, as `Authorization: Bearer <token>`
   * (unset: open, as Prometheus scrapes usually are inside a private network). At least 16 characters.
   */
  DESKGATE_METRICS_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: "must be at least 16 characters",
  }),
  /** Port of the worker's own /metrics (default 9464; 0 = none). */
  DESKGATE_WORKER_METRICS_PORT: port(9464),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  readonly lines: string[];
  constructor(lines: string[]) {
    super(`invalid configuration:\n${lines.map((l) => `  ${l}`).join("\n")}`);
    this.name = "ConfigError";
    this.lines = lines;
  }
}

/** Parse the environment; on failure throw one clear line per bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (parsed.success) {
    const missing = missingForVdiAuth(parsed.data);
    if (missing.length === 0) return parsed.data;
    throw new ConfigError(
      missing.map(
        (name) => `${name} (unset): is required with DESKGATE_VDI_AUTH=${parsed.data.DESKGATE_VDI_AUTH}`,
      ),
    );
  }
  const lines = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? "?");
    const value = env[name];
    const shown = value === undefined ? "unset" : isSecretName(name) ? "set" : JSON.stringify(value);
    return `${name} (${shown}): ${issue.message}`;
  });
  throw new ConfigError(lines);
}

function isSecretName(name: string): boolean {
  return /KEY|SECRET|PASSWORD|TOKEN|DATABASE_URL|_AK$|_SK$/.test(name);
}

const IAM_NEEDS = [
  "DESKGATE_VDI_IAM_URL",
  "DESKGATE_VDI_IAM_DOMAIN",
  "DESKGATE_VDI_IAM_USER",
  "DESKGATE_VDI_IAM_PASSWORD",
] as const;
const AGENCY_NEEDS = [...IAM_NEEDS, "DESKGATE_VDI_AGENCY_DOMAIN", "DESKGATE_VDI_AGENCY_NAME"] as const;

function missingForVdiAuth(config: Config): string[] {
  const needs =
    config.DESKGATE_VDI_AUTH === "password"
      ? IAM_NEEDS
      : config.DESKGATE_VDI_AUTH === "agency"
        ? AGENCY_NEEDS
        : [];
  return needs.filter((name) => !config[name]);
}

/** The Workspace adapter's `auth` option from the configuration (shape of @deskgate/upstream's WorkspaceAuth). */
export function vdiAuth(config: Config) {
  const iam = {
    iamUrl: config.DESKGATE_VDI_IAM_URL ?? "",
    domain: config.DESKGATE_VDI_IAM_DOMAIN ?? "",
    user: config.DESKGATE_VDI_IAM_USER ?? "",
    password: config.DESKGATE_VDI_IAM_PASSWORD ?? "",
  };
  switch (config.DESKGATE_VDI_AUTH) {
    case "aksk":
      return {
        mode: "aksk" as const,
        accessKey: config.DESKGATE_VDI_AK,
        secretKey: config.DESKGATE_VDI_SK,
        ...(config.DESKGATE_VDI_SECURITY_TOKEN ? { securityToken: config.DESKGATE_VDI_SECURITY_TOKEN } : {}),
      };
    case "password":
      return { mode: "password" as const, ...iam };
    case "agency":
      return {
        mode: "agency" as const,
        ...iam,
        agencyDomain: config.DESKGATE_VDI_AGENCY_DOMAIN ?? "",
        agencyName: config.DESKGATE_VDI_AGENCY_NAME ?? "",
      };
    case "token":
      return { mode: "token" as const, token: config.DESKGATE_VDI_TOKEN };
  }
}

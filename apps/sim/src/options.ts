import { randomBytes } from "node:crypto";
/** Construction options of the simulator; every field is optional and has a documented default. */
export interface SimOptions {
  /** The VDI base is `/v2/{projectId}`. Default `"sim-project"`. */
  projectId?: string;
  /** A fixed token accepted in `X-Auth-Token` (never expires); "" accepts none. Default `"sim-token"`. */
  authToken?: string;
  /** The AK/SK whose SDK-HMAC-SHA256 signatures are accepted. Default `sim-ak` / `sim-sk`. */
  accessKey?: string;
  secretKey?: string;
  /** Set: the AK/SK is temporary and requests must carry (and sign) this `X-Security-Token`. */
  securityToken?: string;
  /** How far `X-Sdk-Date` may be from the simulator's clock. Default 15 minutes (APIG's rule). */
  maxClockSkewMs?: number;
  /** IAM users that may log in at `POST /v3/auth/tokens` (password). */
  iamUsers?: IamUser[];
  /** Agencies that `assume_role` may take (any logged-in IAM user is trusted). */
  agencies?: { domain: string; name: string }[];
  /** Lifetime of IAM tokens. Default 24 h, as Huawei's. */
  iamTokenTtlMs?: number;
  /** Duration of each job phase (WAITING → RUNNING → SUCCESS), in ms, ±20 % jitter. Default 200. */
  jobPhaseMs?: number;
  /** Seed of the PRNG behind injected faults and job-phase jitter. Default 1. */
  seed?: number;
  /** Whether the macOS image exists. Default true. */
  macos?: boolean;
  /** Whether the `x-deskgate-password` extension call is served. Default true. */
  setPasswordExtension?: boolean;
  /** SCNet accounts that may obtain tokens. */
  hpcAccounts?: HpcAccount[];
  /** SCNet token lifetime in ms. Default one hour. */
  tokenTtlMs?: number;
  /** What `GET /ac/openapi/v2/center` lists as `hpcUrls` (default: a disabled entry, then this origin). */
  hpcUrls?: { url: string; enable: string }[] | null;
}

export interface IamUser {
  domain: string;
  user: string;
  password: string;
}

export interface HpcAccount {
  user: string;
  password: string;
  orgId: string;
  /** For `POST /api/user/v3/tokens` (AK/SK login). */
  accessKey?: string;
  secretKey?: string;
}

export type ResolvedOptions = Required<Omit<SimOptions, "securityToken">> & { securityToken?: string };

/** The defaults the dev stack and tests share unless they pass their own. */
export const SIM_CREDENTIALS = {
  accessKey: "sim-ak",
  secretKey: "sim-sk",
  iamUser: { domain: "sim-domain", user: "sim-user", password: "sim-password" },
  agency: { domain: "sim-tenant", name: "deskgate-workspace" },
} as const;

/** Fresh AK/SK for one test or dev stack: pass them to both the simulator and the adapter. */
export function randomSimCredentials(): { accessKey: string; secretKey: string } {
  return {
    accessKey: `SIMAK${randomBytes(8).toString("hex").toUpperCase()}`,
    secretKey: randomBytes(24).toString("base64url"),
  };
}

export function resolveOptions(options: SimOptions = {}): ResolvedOptions {
  return {
    projectId: options.projectId ?? "sim-project",
    authToken: options.authToken ?? "sim-token",
    accessKey: options.accessKey ?? SIM_CREDENTIALS.accessKey,
    secretKey: options.secretKey ?? SIM_CREDENTIALS.secretKey,
    securityToken: options.securityToken,
    maxClockSkewMs: options.maxClockSkewMs ?? 15 * 60_000,
    iamUsers: options.iamUsers ?? [{ ...SIM_CREDENTIALS.iamUser }],
    agencies: options.agencies ?? [{ ...SIM_CREDENTIALS.agency }],
    iamTokenTtlMs: options.iamTokenTtlMs ?? 86_400_000,
    jobPhaseMs: options.jobPhaseMs ?? 200,
    seed: options.seed ?? 1,
    macos: options.macos ?? true,
    setPasswordExtension: options.setPasswordExtension ?? true,
    hpcAccounts: options.hpcAccounts ?? [
      { user: "hpcuser", password: "hpc-pass", orgId: "org-1", accessKey: "hpc-ak", secretKey: "hpc-sk" },
    ],
    tokenTtlMs: options.tokenTtlMs ?? 3_600_000,
    hpcUrls: options.hpcUrls ?? null,
  };
}

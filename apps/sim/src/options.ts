/** Construction options of the simulator; every field is optional and has a documented default. */
export interface SimOptions {
  /** The VDI base is `/v2/{projectId}`. Default `"sim-project"`. */
  projectId?: string;
  /** Accepted in `X-Auth-Token`. Default `"sim-token"`. */
  authToken?: string;
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
}

export interface HpcAccount {
  user: string;
  password: string;
  orgId: string;
}

export type ResolvedOptions = Required<SimOptions>;

export function resolveOptions(options: SimOptions = {}): ResolvedOptions {
  return {
    projectId: options.projectId ?? "sim-project",
    authToken: options.authToken ?? "sim-token",
    jobPhaseMs: options.jobPhaseMs ?? 200,
    seed: options.seed ?? 1,
    macos: options.macos ?? true,
    setPasswordExtension: options.setPasswordExtension ?? true,
    hpcAccounts: options.hpcAccounts ?? [{ user: "hpcuser", password: "hpc-pass", orgId: "org-1" }],
    tokenTtlMs: options.tokenTtlMs ?? 3_600_000,
  };
}

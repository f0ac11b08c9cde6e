/**
 * An SCNet (Sugon AC OpenAPI) account deskgate acts for: a password (v2 `tokens`) or an AK/SK
 * (v3 `tokens`, SCNet's recommendation). `cluster` (id or name) picks the token of that
 * cluster; without it, the first one that is not the platform-level token (clusterId 0, "ac").
 */
export type HpcCredentials = { user: string; orgId: string; cluster?: string | null } & (
  | { password: string }
  | { accessKey: string; secretKey: string }
);

export interface HpcToken {
  token: string;
  clusterId: string;
  clusterName: string;
}

/** A VNC session exactly as seed 001 names its fields. */
export interface HpcVncSession {
  id: string;
  createDate: string;
  hostname: string;
  jobs: string;
  length: string;
  width: string;
  name: string;
  sid: string;
  user: string;
  ip: string;
  sessionId: string;
}

/**
 * What deskgate needs from an HPC platform (SPEC 2.8). Token handling is the caller's
 * business (tokens are stored sealed and renewed): every call takes the token, and an
 * expired token surfaces as UpstreamError reason "auth" with platformCode "10008".
 */
export interface HpcPlatform {
  readonly name: string;
  getToken(credentials: HpcCredentials): Promise<HpcToken>;
  /** `tokens/next`; `cluster` as in HpcCredentials. */
  renewToken(token: string, cluster?: string | null): Promise<HpcToken>;
  /** The region's enabled HPC base URL. */
  discoverHpcUrl(token: string): Promise<string>;
  /** Create the user's session, or get the existing one (one per user). */
  openVnc(hpcUrl: string, token: string): Promise<HpcVncSession>;
  listVnc(hpcUrl: string, token: string): Promise<HpcVncSession[]>;
  /** Treats "session does not exist" (815010) as success. */
  closeVnc(hpcUrl: string, token: string, sessionId: string): Promise<void>;
  launchUrl(hpcUrl: string, token: string, sessionId: string): Promise<string>;
}

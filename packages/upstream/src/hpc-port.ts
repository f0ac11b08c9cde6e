/** An SCNet (Sugon AC OpenAPI v2) account deskgate acts for. */
export interface HpcCredentials {
  user: string;
  password: string;
  orgId: string;
}

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
  renewToken(token: string): Promise<HpcToken>;
  /** The region's enabled HPC base URL. */
  discoverHpcUrl(token: string): Promise<string>;
  /** Create the user's session, or get the existing one (one per user). */
  openVnc(hpcUrl: string, token: string): Promise<HpcVncSession>;
  listVnc(hpcUrl: string, token: string): Promise<HpcVncSession[]>;
  /** Treats "session does not exist" (815010) as success. */
  closeVnc(hpcUrl: string, token: string, sessionId: string): Promise<void>;
  launchUrl(hpcUrl: string, token: string, sessionId: string): Promise<string>;
}

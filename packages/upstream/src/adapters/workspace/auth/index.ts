import type { Clock } from "@deskgate/runtime";
import { JsonHttpClient } from "../../../http.ts";
import { createRateLimiter } from "../../../rate-limit.ts";
import { createIamTokenSource, type IamAgencyAuth, type IamPasswordAuth } from "./iam-token.ts";
import { signRequest } from "./signer.ts";

export type { IamAgencyAuth, IamPasswordAuth } from "./iam-token.ts";

/** AK/SK request signing (Huawei's recommended mode). A temporary AK/SK adds its security token. */
export interface AkSkAuth {
  mode: "aksk";
  accessKey: string;
  secretKey: string;
  securityToken?: string;
}

/** A token obtained elsewhere, sent as is (it is not renewed: it stops working when it expires). */
export interface StaticTokenAuth {
  mode: "token";
  token: string;
}

export type WorkspaceAuth = AkSkAuth | IamPasswordAuth | IamAgencyAuth | StaticTokenAuth;

export interface OutgoingRequest {
  method: string;
  url: string;
  /** The exact JSON text sent, if any. */
  body?: string;
}

export interface Authenticator {
  /** The headers that authenticate this request (content-type, accept etc. are the caller's). */
  headers(req: OutgoingRequest): Promise<Record<string, string>>;
  /**
   * The platform answered 401 to a request sent with `sent`: true when new credentials were
   * obtained and one retry may succeed (IAM tokens only; a signature or a static token is not
   * going to get better).
   */
  refused(sent: Record<string, string>): boolean;
  close(): Promise<void>;
}

export function createAuthenticator(opts: {
  auth: WorkspaceAuth;
  projectId: string;
  clock: Clock;
  timeoutMs: number;
}): Authenticator {
  const { auth, projectId, clock } = opts;
  switch (auth.mode) {
    case "token":
      return {
        headers: async () => ({ "X-Auth-Token": auth.token }),
        refused: () => false,
        close: async () => {},
      };
    case "aksk":
      return {
        async headers(req) {
          // X-Project-Id as the SDK's BasicCredentials sends it; host so the signature binds it.
          const signed: Record<string, string> = { host: new URL(req.url).host, "X-Project-Id": projectId };
          if (auth.securityToken) signed["X-Security-Token"] = auth.securityToken;
          const added = signRequest({ ...req, headers: signed }, auth, clock.now());
          const { host: _host, ...sent } = signed;
          return { ...sent, ...added };
        },
        refused: () => false,
        close: async () => {},
      };
    case "password":
    case "agency": {
      const http = new JsonHttpClient({
        timeoutMs: opts.timeoutMs,
        limiter: createRateLimiter(0),
        connections: 2,
      });
      const tokens = createIamTokenSource({ auth, projectId, http, clock });
      return {
        headers: async () => ({ "X-Auth-Token": await tokens.get() }),
        refused(sent) {
          const token = sent["X-Auth-Token"];
          if (token) tokens.invalidate(token);
          return true;
        },
        close: () => http.close(),
      };
    }
    default: {
      const never: never = auth;
      throw new Error(`unknown Workspace auth mode ${(never as { mode: string }).mode}`);
    }
  }
}

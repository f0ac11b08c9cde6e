export { createScnetPlatform, type ScnetPlatform } from "./adapters/scnet/adapter.ts";
export type { ScnetOptions } from "./adapters/scnet/options.ts";
export { createWorkspacePlatform, type WorkspacePlatform } from "./adapters/workspace/adapter.ts";
export type {
  AkSkAuth,
  IamAgencyAuth,
  IamPasswordAuth,
  StaticTokenAuth,
  WorkspaceAuth,
} from "./adapters/workspace/auth/index.ts";
export { signRequest as signWorkspaceRequest } from "./adapters/workspace/auth/signer.ts";
export { classify as classifyWorkspaceError } from "./adapters/workspace/classify.ts";
export type { WorkspaceOptions } from "./adapters/workspace/options.ts";
export { policyGroupName } from "./adapters/workspace/policies.ts";
export { WORKSPACE_LIMITS } from "./adapters/workspace/volumes.ts";
export * from "./errors.ts";
export type * from "./hpc-port.ts";
export { awaitJob } from "./poll.ts";
export type * from "./port.ts";
export { createRateLimiter, type RateLimiter, type RateLimiterClock } from "./rate-limit.ts";
export { type RetryOptions, withRetry } from "./retry.ts";
export { createUpstreamUrlPolicy, type UpstreamUrlPolicyOptions } from "./url-policy.ts";

/**
 * Errors raised inside the connect path. They travel through `net` and undici unchanged, and
 * their `code` lets the deliverer classify the attempt.
 */

export class BlockedByPolicyError extends Error {
  readonly code = "ERR_BLOCKED_BY_POLICY";

  constructor(reason: string) {
    super(`blocked by callback policy: ${reason}`);
    this.name = "BlockedByPolicyError";
  }
}

export class HostLookupError extends Error {
  readonly code = "ERR_HOST_LOOKUP";

  constructor(hostname: string, cause?: unknown) {
    const detail = cause instanceof Error ? `: ${cause.message}` : ": no addresses";
    super(`could not resolve ${hostname}${detail}`, { cause });
    this.name = "HostLookupError";
  }
}

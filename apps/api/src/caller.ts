import type { ApiKeyScope } from "@deskgate/db";

/** The authenticated API key behind a request. */
export interface Caller {
  apiKeyId: string;
  name: string;
  scopes: readonly string[];
  rateLimitPerMinute: number | null;
}

/** `admin` implies every scope. */
export function hasScope(caller: Caller, scope: ApiKeyScope): boolean {
  return caller.scopes.includes("admin") || caller.scopes.includes(scope);
}

export function isAdmin(caller: Caller): boolean {
  return caller.scopes.includes("admin");
}

/** A task is visible to the key that created it, and to admin keys. */
export function canSeeTask(caller: Caller, task: { apiKeyId: string | null }): boolean {
  return isAdmin(caller) || task.apiKeyId === caller.apiKeyId;
}

declare module "hono" {
  interface ContextVariableMap {
    caller: Caller;
  }
}

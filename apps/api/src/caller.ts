import type { ApiKeyScope } from "@deskgate/db";

/** The authenticated API key behind a request. */
export interface Caller {
  apiKeyId: string;
  name: string;
  scopes: readonly string[];
  /** The tenant the key acts for (its named tenant, else `key:<id>`): docs/api.md, "Tenants". */
  tenant: string;
  /** The request's X-Request-Id, stored on the tasks it makes (issue 16.5). */
  requestId?: string;
  rateLimitPerMinute: number | null;
}

/** `admin` implies every scope. */
export function hasScope(caller: Caller, scope: ApiKeyScope): boolean {
  return caller.scopes.includes("admin") || caller.scopes.includes(scope);
}

export function isAdmin(caller: Caller): boolean {
  return caller.scopes.includes("admin");
}

/**
 * A user, desktop, HPC account or task is visible to the keys of its tenant and to admin keys;
 * one no tenant owns (found on the platform, not yet assigned) to admin keys only.
 */
export function canSee(caller: Caller, row: { tenant: string | null }): boolean {
  return isAdmin(caller) || (row.tenant !== null && row.tenant === caller.tenant);
}

/** A task: its tenant's keys and admin; a task from before tenants, the key that sent it. */
export function canSeeTask(
  caller: Caller,
  task: { apiKeyId: string | null; tenant: string | null },
): boolean {
  if (task.tenant === null) return isAdmin(caller) || task.apiKeyId === caller.apiKeyId;
  return canSee(caller, task);
}

/** What the caller may see: undefined = everything (admin), else its tenant. */
export function tenantScope(caller: Caller): string | undefined {
  return isAdmin(caller) ? undefined : caller.tenant;
}

declare module "hono" {
  interface ContextVariableMap {
    caller: Caller;
  }
}

import { assignHpcAccount, assignUser, findApiKeyByName, TENANT_NAME, tenantOfKey } from "@deskgate/db";
import type { CliContext } from "../context.ts";
import { NotFoundError, UsageError } from "../usage.ts";

/** The owner flags of a command: a named tenant, a key (its tenant), or none (admin only). */
export interface OwnerFlags {
  tenant?: string;
  key?: string;
  none?: boolean;
}

/**
 * The tenant the flags name (docs/api.md, "Tenants"): `--tenant T` a named tenant,
 * `--key NAME` that key's tenant (its named one, else the key alone), `--none` nobody (admin
 * only). Undefined when no flag is given and `required` is false.
 */
export async function ownerFrom(
  ctx: CliContext,
  flags: OwnerFlags,
  required: boolean,
): Promise<string | null | undefined> {
  const given = [flags.tenant !== undefined, flags.key !== undefined, flags.none === true].filter(
    Boolean,
  ).length;
  if (given > 1) throw new UsageError("give one of --tenant, --key or --none");
  if (given === 0) {
    if (required) throw new UsageError("give the new owner: --tenant T, --key NAME or --none");
    return undefined;
  }
  if (flags.none) return null;
  if (flags.tenant !== undefined) return checkTenantName(flags.tenant);
  const key = await findApiKeyByName(ctx.database.db, flags.key!);
  if (!key) throw new NotFoundError(`no API key named ${flags.key}`);
  return tenantOfKey(key);
}

export function checkTenantName(name: string): string {
  if (!TENANT_NAME.test(name))
    throw new UsageError(
      `--tenant must be 1 to 63 lower-case letters, digits, '-' or '_', starting with a letter or digit (got "${name}")`,
    );
  return name;
}

/** `users assign <username>`: the user and every desktop of theirs get the new owner. */
export async function usersAssign(ctx: CliContext, username: string | undefined, flags: OwnerFlags) {
  if (!username) throw new UsageError("missing <username>");
  const owner = (await ownerFrom(ctx, flags, true)) as string | null;
  const desktops = await assignUser(ctx.database.db, username, owner);
  if (desktops === null) {
    await ctx.audit("user.assign", username, "refused", "no such user");
    throw new NotFoundError(`deskgate knows no user ${username}`);
  }
  await ctx.audit("user.assign", username, "ok", `tenant ${owner ?? "none"}, ${desktops} desktop(s)`);
  ctx.out.print({ username, tenant: owner ?? "none (admin only)", desktops });
}

/** `hpc accounts assign <name>`: the account's `hpc` keys become the new owner's. */
export async function hpcAccountsAssign(ctx: CliContext, name: string | undefined, flags: OwnerFlags) {
  if (!name) throw new UsageError("missing <name>");
  const owner = (await ownerFrom(ctx, flags, true)) as string | null;
  if (!(await assignHpcAccount(ctx.database.db, name, owner))) {
    await ctx.audit("hpc_account.assign", name, "refused", "no account of that name");
    throw new NotFoundError(`no HPC account named ${name}`);
  }
  await ctx.audit("hpc_account.assign", name, "ok", `tenant ${owner ?? "none"}`);
  ctx.out.print({ name, tenant: owner ?? "none (admin only)" });
}

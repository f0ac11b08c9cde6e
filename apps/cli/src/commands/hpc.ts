import { HpcAccountName } from "@deskgate/contracts";
import { addHpcAccount, listHpcAccounts, removeHpcAccount } from "@deskgate/db";
import type { CliContext } from "../context.ts";
import { NotFoundError, UsageError } from "../usage.ts";
import { type OwnerFlags, ownerFrom } from "./tenants.ts";

export async function hpcAccountsAdd(
  ctx: CliContext,
  name: string | undefined,
  flags: { user?: string; org?: string; cluster?: string; accessKey?: string; owner?: OwnerFlags },
  readSecret: () => Promise<string>,
) {
  if (!name || !flags.user || !flags.org)
    throw new UsageError(
      "hpc accounts add <name> --user U --org ORG [--cluster ID|NAME] [--access-key AK] (password, or with --access-key the secret key, on stdin)",
    );
  if (!HpcAccountName.safeParse(name).success)
    throw new UsageError("the account name may contain only letters, digits, '.', '_' and '-'");
  const tenant = (await ownerFrom(ctx, flags.owner ?? {}, false)) ?? null;
  if (!ctx.box) throw new UsageError("DESKGATE_ENCRYPTION_KEY is needed to store the account's password");
  const secret = (await readSecret()).trim();
  if (!secret) throw new UsageError(flags.accessKey ? "no secret key on stdin" : "no password on stdin");
  const added = await addHpcAccount(ctx.database.db, {
    name,
    platformUser: flags.user,
    orgId: flags.org,
    cluster: flags.cluster || null,
    tenant,
    ...(flags.accessKey
      ? { accessKey: flags.accessKey, sealedAccessSecret: ctx.box.seal(secret) }
      : { sealedPassword: ctx.box.seal(secret) }),
  });
  if (!added) {
    await ctx.audit("hpc_account.add", name, "refused", "an account of that name exists");
    throw new Error(`an HPC account named ${name} exists already`);
  }
  const how = flags.accessKey ? `access key ${flags.accessKey}` : "password";
  const cluster = flags.cluster || null;
  await ctx.audit(
    "hpc_account.add",
    name,
    "ok",
    `user ${flags.user}, org ${flags.org}, ${how}, cluster ${cluster ?? "first computing cluster"}, tenant ${tenant ?? "none"}`,
  );
  ctx.out.print({
    name,
    user: flags.user,
    org: flags.org,
    cluster,
    tenant: tenant ?? "none (admin only)",
    added: true,
  });
}

export async function hpcAccountsList(ctx: CliContext) {
  ctx.out.print(await listHpcAccounts(ctx.database.db), [
    "name",
    "platformUser",
    "orgId",
    "cluster",
    "tenant",
    "hasToken",
    "hpcUrl",
    "createdAt",
  ]);
}

export async function hpcAccountsRemove(ctx: CliContext, name: string | undefined) {
  if (!name) throw new UsageError("missing <name>");
  if (!(await removeHpcAccount(ctx.database.db, name))) {
    await ctx.audit("hpc_account.remove", name, "refused", "no account of that name");
    throw new NotFoundError(`no HPC account named ${name}`);
  }
  await ctx.audit("hpc_account.remove", name, "ok");
  ctx.out.print({ name, removed: true });
}

import { HpcAccountName } from "@deskgate/contracts";
import { addHpcAccount, listHpcAccounts, removeHpcAccount } from "@deskgate/db";
import type { CliContext } from "../context.ts";
import { UsageError } from "../usage.ts";

export async function hpcAccountsAdd(
  ctx: CliContext,
  name: string | undefined,
  flags: { user?: string; org?: string },
  readSecret: () => Promise<string>,
) {
  if (!name || !flags.user || !flags.org)
    throw new UsageError("hpc accounts add <name> --user U --org ORG (password on stdin)");
  if (!HpcAccountName.safeParse(name).success)
    throw new UsageError("the account name may contain only letters, digits, '.', '_' and '-'");
  if (!ctx.box) throw new UsageError("DESKGATE_ENCRYPTION_KEY is needed to store the account's password");
  const password = (await readSecret()).trim();
  if (!password) throw new UsageError("no password on stdin");
  const added = await addHpcAccount(ctx.database.db, {
    name,
    platformUser: flags.user,
    orgId: flags.org,
    sealedPassword: ctx.box.seal(password),
  });
  if (!added) throw new UsageError(`an HPC account named ${name} exists already`);
  ctx.out.print({ name, user: flags.user, org: flags.org, added: true });
}

export async function hpcAccountsList(ctx: CliContext) {
  ctx.out.print(await listHpcAccounts(ctx.database.db), [
    "name",
    "platformUser",
    "orgId",
    "hasToken",
    "hpcUrl",
    "createdAt",
  ]);
}

export async function hpcAccountsRemove(ctx: CliContext, name: string | undefined) {
  if (!name) throw new UsageError("hpc accounts remove <name>");
  if (!(await removeHpcAccount(ctx.database.db, name))) throw new UsageError(`no HPC account named ${name}`);
  ctx.out.print({ name, removed: true });
}

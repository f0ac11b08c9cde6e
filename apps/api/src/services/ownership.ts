import {
  type DesktopRow,
  findUser,
  getDesktopRow,
  type HpcAccountRow,
  loadHpcAccount,
  type VdiUserRow,
} from "@deskgate/db";
import { type Caller, canSee } from "../caller.ts";
import type { ApiDeps } from "../deps.ts";
import { type Rejected, rejected, text } from "./reply.ts";

/**
 * Users, desktops and HPC accounts as a caller may see them (docs/api.md, "Tenants"): those
 * of its tenant, every one for admin. Anything else answers exactly as an unknown one (404),
 * so another tenant's names and ids do not leak.
 */
export async function visibleUser(
  deps: ApiDeps,
  caller: Caller,
  username: string,
): Promise<VdiUserRow | undefined> {
  const row = await findUser(deps.database.db, username);
  return row && canSee(caller, row) ? row : undefined;
}

export async function visibleDesktop(
  deps: ApiDeps,
  caller: Caller,
  desktopUuid: string,
): Promise<DesktopRow | undefined> {
  const row = await getDesktopRow(deps.database.db, desktopUuid);
  return row && canSee(caller, row) ? row : undefined;
}

export async function visibleHpcAccount(
  deps: ApiDeps,
  caller: Caller,
  account: string,
): Promise<HpcAccountRow | undefined> {
  const row = await loadHpcAccount(deps.database.db, account);
  return row && canSee(caller, row) ? row : undefined;
}

export const unknownUser = (username: string): Rejected =>
  rejected("not_found", text(`user ${username} is not known`, `用户 ${username} 不存在`));

export const unknownDesktop = (desktopUuid: string): Rejected =>
  rejected("not_found", text(`desktop ${desktopUuid} is not known`, `桌面 ${desktopUuid} 不存在`));

export const unknownHpcAccount = (account: string): Rejected =>
  rejected("not_found", text(`HPC account ${account} is not known`, `HPC 账号 ${account} 不存在`));

/** The request-time check of an operation on a desktop: 404 unless the caller may see it. */
export async function desktopRefusal(
  deps: ApiDeps,
  caller: Caller,
  desktopUuid: string,
): Promise<Rejected | null> {
  return (await visibleDesktop(deps, caller, desktopUuid)) ? null : unknownDesktop(desktopUuid);
}

/** The request-time check of an operation on a user: 404 unless the caller may see them. */
export async function userRefusal(deps: ApiDeps, caller: Caller, username: string): Promise<Rejected | null> {
  return (await visibleUser(deps, caller, username)) ? null : unknownUser(username);
}

import { type HpcAccountRow, loadHpcAccount, storeHpcToken, storeHpcUrl } from "@deskgate/db";
import { isUpstreamError, UpstreamError } from "@deskgate/upstream";
import type { WorkerDeps } from "./deps.ts";
import { notFound, TaskFailure } from "./failure.ts";

/**
 * An HPC account's token and HPC base URL, kept in `hpc_accounts` (token sealed). A call that
 * fails with an expired/invalid token (reason "auth", SCNet 10008) renews the token once —
 * `tokens/next`, or a fresh login when renewal is refused — and is retried once.
 */
export interface HpcAccess {
  account: HpcAccountRow;
  /** Run `fn` with a valid token and the account's HPC URL (discovered and cached on first use). */
  call<T>(fn: (hpcUrl: string, token: string) => Promise<T>): Promise<T>;
}

export async function hpcAccess(deps: WorkerDeps, name: string): Promise<HpcAccess> {
  const { db } = deps.database;
  const account = await loadHpcAccount(db, name);
  if (!account) throw notFound(`HPC account ${name} is not known to deskgate`);
  let token = account.sealedToken ? deps.box.open(account.sealedToken) : null;
  let hpcUrl = account.hpcUrl;

  const keep = async (t: { token: string; clusterId: string }) => {
    token = t.token;
    await storeHpcToken(db, name, { sealedToken: deps.box.seal(t.token), clusterId: t.clusterId });
  };
  const login = async () => {
    const who = { user: account.platformUser, orgId: account.orgId, cluster: account.cluster };
    if (account.accessKey && account.sealedAccessSecret) {
      const secretKey = deps.box.open(account.sealedAccessSecret);
      return keep(await deps.hpc.getToken({ ...who, accessKey: account.accessKey, secretKey }));
    }
    if (!account.sealedPassword) {
      throw new TaskFailure(`HPC account ${name} has neither a password nor an access key`);
    }
    await keep(await deps.hpc.getToken({ ...who, password: deps.box.open(account.sealedPassword) }));
  };
  const renew = async () => {
    if (!token) return login();
    try {
      await keep(await deps.hpc.renewToken(token, account.cluster));
    } catch (e) {
      if (isAuth(e)) return login();
      throw e;
    }
  };
  const withToken = async <T>(fn: (t: string) => Promise<T>): Promise<T> => {
    if (!token) await login();
    try {
      return await fn(token!);
    } catch (e) {
      if (!isAuth(e)) throw e;
      await renew();
      try {
        return await fn(token!);
      } catch (again) {
        if (isAuth(again)) {
          throw new TaskFailure(
            `HPC account ${name} was refused even with a renewed token: ${(again as Error).message}`,
          );
        }
        throw again;
      }
    }
  };

  return {
    account,
    async call(fn) {
      if (!hpcUrl) {
        hpcUrl = await withToken((t) => deps.hpc.discoverHpcUrl(t));
        await storeHpcUrl(db, name, hpcUrl);
      }
      const url = hpcUrl;
      try {
        return await withToken((t) => fn(url, t));
      } catch (e) {
        // A cached URL that stopped answering is forgotten, so the retry discovers it again.
        if (isUpstreamError(e) && e.transient && (e.reason === "unavailable" || e.reason === "timeout")) {
          await storeHpcUrl(db, name, null);
        }
        throw e;
      }
    },
  };
}

function isAuth(e: unknown): boolean {
  return e instanceof UpstreamError && (e.reason === "auth" || e.platformCode === "10008");
}

import type { PendingApplies } from "@deskgate/db";
import type { Logger } from "@deskgate/runtime";
import type {
  DesktopOs,
  DesktopPlatform,
  PlatformFlavor,
  PlatformQuotas,
  QuotaAmounts,
} from "@deskgate/upstream";

/** The platform reads the api makes (the worker alone changes anything upstream). */
export type CatalogSource = Pick<
  DesktopPlatform,
  "quotas" | "desktopFootprint" | "flavors" | "flavorTargets"
>;

/** A quota read, with the applies deskgate had accepted but not yet sent when it was taken. */
export interface QuotaSnapshot {
  quotas: PlatformQuotas;
  pending: PendingApplies;
}

/**
 * What the api knows of the platform for request-time refusals: quotas (cached ~5 s), the
 * flavours and each flavour's resize targets (cached ~5 min). Every read answers `null` when
 * the platform cannot be read now: callers then accept the request and leave the decision to
 * the worker (fail open), so an outage of the platform does not refuse work it could do later.
 */
export interface PlatformCatalog {
  quotas(): Promise<QuotaSnapshot | null>;
  footprint(os: DesktopOs): Promise<QuotaAmounts | null>;
  flavors(): Promise<PlatformFlavor[] | null>;
  flavorTargets(flavorId: string): Promise<PlatformFlavor[] | null>;
}

export interface CatalogOptions {
  /** The applies accepted but not yet on the platform, read just before each quota read. */
  pendingApplies: () => Promise<PendingApplies>;
  logger: Logger;
  /** Default 5 s. */
  quotaTtlMs?: number;
  /** Flavours, targets and footprints. Default 5 min. */
  catalogTtlMs?: number;
  /** After a failed read, how long the api answers "unknown" before it tries again. Default 5 s. */
  failureTtlMs?: number;
  now?: () => number;
}

interface Entry<T> {
  value: Promise<T | null>;
  expires: number;
}

export function createPlatformCatalog(source: CatalogSource, opts: CatalogOptions): PlatformCatalog {
  const now = opts.now ?? Date.now;
  const quotaTtl = opts.quotaTtlMs ?? 5_000;
  const catalogTtl = opts.catalogTtlMs ?? 300_000;
  const failureTtl = opts.failureTtlMs ?? 5_000;
  const entries = new Map<string, Entry<unknown>>();

  /** One read in flight per key; kept `ttl` after it succeeds, `failureTtl` after it fails. */
  function cached<T>(key: string, ttl: number, load: () => Promise<T>): Promise<T | null> {
    const hit = entries.get(key) as Entry<T> | undefined;
    if (hit && hit.expires > now()) return hit.value;
    const entry: Entry<T> = { value: Promise.resolve(null), expires: Number.POSITIVE_INFINITY };
    entry.value = load().then(
      (value) => {
        entry.expires = now() + ttl;
        return value;
      },
      (error: unknown) => {
        entry.expires = now() + failureTtl;
        opts.logger.warn(
          { err: error instanceof Error ? error.message : String(error), read: key },
          "platform catalog unreadable: request-time checks that need it are skipped (the worker decides)",
        );
        return null;
      },
    );
    entries.set(key, entry);
    return entry.value;
  }

  return {
    quotas: () =>
      cached("quotas", quotaTtl, async () => {
        const pending = await opts.pendingApplies();
        return { quotas: await source.quotas(), pending };
      }),
    footprint: (os) => cached(`footprint:${os}`, catalogTtl, () => source.desktopFootprint(os)),
    flavors: () => cached("flavors", catalogTtl, () => source.flavors()),
    flavorTargets: (flavorId) =>
      cached(`targets:${flavorId}`, catalogTtl, () => source.flavorTargets(flavorId)),
  };
}

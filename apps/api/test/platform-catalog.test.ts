import { createLogger } from "@deskgate/runtime";
import type { PlatformQuotas } from "@deskgate/upstream";
import { describe, expect, it } from "vitest";
import { type CatalogSource, createPlatformCatalog } from "../src/services/platform-catalog.ts";

/** The catalog's caching and fail-open rules, on a scripted source and a hand-driven clock. */
function setup() {
  let clock = 0;
  const calls: string[] = [];
  let failing = false;
  let quotas: PlatformQuotas = { desktops: { limit: 10, used: 1 } };
  const read = async <T>(what: string, value: T): Promise<T> => {
    calls.push(what);
    if (failing) throw new Error("connect ECONNREFUSED");
    return value;
  };
  const source: CatalogSource = {
    quotas: () => read("quotas", quotas),
    desktopFootprint: (os) => read(`footprint:${os}`, { desktops: 1 }),
    flavors: () => read("flavors", [{ id: "p1", cpu: 2, memoryBytes: 4 }]),
    flavorTargets: (id) => read(`targets:${id}`, [{ id: "p2", cpu: 4, memoryBytes: 8 }]),
  };
  const lines: string[] = [];
  const catalog = createPlatformCatalog(source, {
    pendingApplies: async () => ({ ids: [], seen: [], at: new Date(0) }),
    logger: createLogger({ name: "test", destination: { write: (l: string) => void lines.push(l) } }),
    now: () => clock,
  });
  return {
    catalog,
    calls,
    lines,
    tick: (ms: number) => {
      clock += ms;
    },
    fail: (on: boolean) => {
      failing = on;
    },
    setQuotas: (q: PlatformQuotas) => {
      quotas = q;
    },
  };
}

describe("PlatformCatalog", () => {
  it("keeps quotas 5 s and flavours 5 min; concurrent reads share one call", async () => {
    const t = setup();
    const [a, b] = await Promise.all([t.catalog.quotas(), t.catalog.quotas()]);
    expect(a).toEqual(b);
    expect(a?.quotas).toEqual({ desktops: { limit: 10, used: 1 } });
    await t.catalog.flavorTargets("p1");
    t.setQuotas({ desktops: { limit: 10, used: 2 } });
    t.tick(4_999);
    expect((await t.catalog.quotas())?.quotas.desktops?.used).toBe(1);
    t.tick(2);
    expect((await t.catalog.quotas())?.quotas.desktops?.used).toBe(2);
    t.tick(290_000);
    await t.catalog.flavorTargets("p1");
    t.tick(10_001);
    await t.catalog.flavorTargets("p1");
    await t.catalog.flavorTargets("p9");
    expect(t.calls).toEqual(["quotas", "targets:p1", "quotas", "targets:p1", "targets:p9"]);
  });

  it("fails open: an unreadable platform answers null with a warning, and is asked again after 5 s", async () => {
    const t = setup();
    t.fail(true);
    expect(await t.catalog.quotas()).toBeNull();
    expect(await t.catalog.flavors()).toBeNull();
    expect(await t.catalog.quotas()).toBeNull();
    expect(t.calls).toEqual(["quotas", "flavors"]);
    const warnings = t.lines.map(
      (l) => JSON.parse(l) as { level: string; msg: string; read: string; err: string },
    );
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ level: "warn", read: "quotas", err: "connect ECONNREFUSED" });
    t.fail(false);
    t.tick(5_001);
    expect((await t.catalog.quotas())?.quotas.desktops).toEqual({ limit: 10, used: 1 });
  });
});

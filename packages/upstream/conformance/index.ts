import { describe } from "vitest";
import { catalogSuite } from "./catalog.ts";
import { desktopsSuite } from "./desktops.ts";
import { faultsSuite, rateLimitSuite } from "./faults.ts";
import { kitSettings } from "./helpers.ts";
import { lifecycleSuite } from "./lifecycle.ts";
import { policiesSuite } from "./policies.ts";
import { powerSuite } from "./power.ts";
import { rebuildSuite } from "./rebuild.ts";
import { resourcesSuite } from "./resources.ts";
import { tagsSuite } from "./tags.ts";
import type { ConformanceKitOptions, ConformanceSetup } from "./types.ts";
import { usersSuite } from "./users.ts";

export type {
  ConformanceFault,
  ConformanceHarness,
  ConformanceKitOptions,
  ConformanceOptions,
  ConformanceSetup,
} from "./types.ts";

/**
 * The conformance suite every `DesktopPlatform` adapter must pass (SPEC 4). Call it once per
 * adapter from a test file; `setup` builds the adapter (with the given options) against a
 * platform that can play the faults of `ConformanceFault`:
 *
 * ```ts
 * describeDesktopPlatformConformance("workspace on the simulator", setupWorkspaceOnSim);
 * ```
 */
export function describeDesktopPlatformConformance(
  name: string,
  setup: ConformanceSetup,
  options: ConformanceKitOptions = {},
): void {
  const kit = kitSettings(options);
  describe(`DesktopPlatform conformance: ${name}`, { timeout: options.testTimeoutMs ?? 60_000 }, () => {
    usersSuite(setup);
    desktopsSuite(setup, kit);
    resourcesSuite(setup, kit);
    catalogSuite(setup, kit);
    policiesSuite(setup, kit);
    lifecycleSuite(setup, kit);
    powerSuite(setup, kit);
    rebuildSuite(setup, kit);
    tagsSuite(setup, kit);
    faultsSuite(setup);
    rateLimitSuite(setup);
  });
}

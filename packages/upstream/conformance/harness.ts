import { afterAll, afterEach, beforeAll } from "vitest";
import type { ConformanceHarness, ConformanceOptions, ConformanceSetup } from "./types.ts";

/** One harness for the enclosing describe block: set up before, faults cleared after each test, torn down after. */
export function useHarness(
  setup: ConformanceSetup,
  options: ConformanceOptions = {},
): () => ConformanceHarness {
  let harness: ConformanceHarness | undefined;
  beforeAll(async () => {
    harness = await setup(options);
  });
  afterEach(async () => {
    await harness?.faults.clear();
  });
  afterAll(async () => {
    await harness?.teardown();
  });
  return () => {
    if (!harness) throw new Error("the conformance harness is not set up");
    return harness;
  };
}

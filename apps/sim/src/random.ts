import { randomBytes, randomUUID } from "node:crypto";

/** A seeded source of numbers in [0, 1). */
export interface Rng {
  next(): number;
}

/** mulberry32: small, fast and repeatable for a given seed. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return {
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/**
 * Identifiers come from the system CSPRNG, not from the seed: a restarted simulator must never
 * hand out an id that a gateway database still remembers from an earlier run.
 */
export function uuid(): string {
  return randomUUID();
}

/** 32 lowercase hex characters, the shape of Workspace user, policy group and volume record ids. */
export function hex32(): string {
  return randomBytes(16).toString("hex");
}

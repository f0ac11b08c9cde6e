import { describe, expect, it } from "vitest";
import { useHarness } from "./harness.ts";
import { STRONG_PASSWORD, uniqueName, upstreamError } from "./helpers.ts";
import type { ConformanceSetup } from "./types.ts";

export function usersSuite(setup: ConformanceSetup): void {
  describe("users", () => {
    const h = useHarness(setup);

    it("creates, finds by exact name, and deletes a user; a second delete is fine", async () => {
      const { platform } = h();
      const name = uniqueName("cu");
      expect(await platform.findUser(name)).toBeNull();
      const user = await platform.createUser(name, STRONG_PASSWORD);
      expect(user).toEqual({ id: expect.any(String), name, locked: false });
      expect(await platform.findUser(name)).toEqual(user);
      await platform.deleteUser(user.id);
      expect(await platform.findUser(name)).toBeNull();
      await platform.deleteUser(user.id);
    });

    it("matches names exactly: a prefix or an extension of a name is another user", async () => {
      const { platform } = h();
      const name = uniqueName("cu");
      const longer = await platform.createUser(`${name}x`, STRONG_PASSWORD);
      expect(await platform.findUser(name)).toBeNull();
      const user = await platform.createUser(name, STRONG_PASSWORD);
      expect(await platform.findUser(name)).toEqual(user);
      expect(await platform.findUser(`${name}x`)).toEqual(longer);
      expect(await platform.findUser(name.slice(0, -1))).toBeNull();
    });

    it('a second createUser with a taken name fails permanently with reason "exists"', async () => {
      const { platform } = h();
      const name = uniqueName("cu");
      await platform.createUser(name, STRONG_PASSWORD);
      const e = await upstreamError(platform.createUser(name, STRONG_PASSWORD));
      expect(e.reason).toBe("exists");
      expect(e.transient).toBe(false);
      expect(e.message).not.toBe("");
    });

    it("generates a password for a user, and sets a chosen one only with the capability", async () => {
      const { platform } = h();
      const user = await platform.createUser(uniqueName("cu"), STRONG_PASSWORD);
      const generated = await platform.generatePassword(user.id);
      expect(typeof generated).toBe("string");
      expect(generated.length).toBeGreaterThanOrEqual(8);
      if (platform.capabilities.canSetPassword) {
        await platform.setPassword(user.id, "Other#Pass7word");
        const weak = await upstreamError(platform.setPassword(user.id, "weak"));
        expect(weak.reason).toBe("password_rejected");
        expect(weak.transient).toBe(false);
        expect(weak.message.length).toBeGreaterThan(10);
      } else {
        const e = await upstreamError(platform.setPassword(user.id, "Other#Pass7word"));
        expect(e.transient).toBe(false);
        expect(e.message).toMatch(/password/i);
      }
    });

    it('password calls on an unknown user fail with reason "not_found"', async () => {
      const { platform } = h();
      const user = await platform.createUser(uniqueName("cu"), STRONG_PASSWORD);
      await platform.deleteUser(user.id);
      const e = await upstreamError(platform.generatePassword(user.id));
      expect(e.reason).toBe("not_found");
      expect(e.transient).toBe(false);
    });
  });
}

import { describe, expect, it } from "vitest";
import { envelopeOf } from "./eventually.ts";
import type { Stack } from "./stack.ts";

export interface RouteUnderTest {
  method: string;
  /** The path, resolved when the test runs (ids come from set-up). */
  path: () => string;
  body?: () => unknown;
  scope: "desktop" | "hpc";
  /** HTTP status with a key of the right scope (default 200). */
  okStatus?: number;
}

/**
 * The access checks every route gets (SPEC 6), from one function: no key → 401, an unknown
 * key → 401, a revoked key → 401, a key of another scope → 403, each in the endpoint's
 * envelope (string status on POST/PUT/DELETE, number on GET); the right scope → success,
 * with `Authorization: Bearer` and with `X-API-Key`.
 */
export function describeAuth(
  name: string,
  stack: () => Stack,
  route: RouteUnderTest,
  revokedKey: () => string,
) {
  const failed = route.method === "GET" ? -1 : "-1";
  const send = (key: string | null, headers: Record<string, string> = {}) =>
    stack().call(route.method, route.path(), {
      key,
      headers,
      ...(route.body ? { body: route.body() } : {}),
    });

  describe(`${name}: access`, () => {
    it("no key → 401 envelope", async () => {
      const res = await send(null);
      expect(res.status).toBe(401);
      expect(await envelopeOf(res)).toMatchObject({ status: failed, message: "Missing or unknown API key" });
    });
    it("an unknown key → 401", async () => {
      const res = await send("dg_unknownunknownunknownunknownunknownunknown");
      expect(res.status).toBe(401);
      expect((await envelopeOf(res)).status).toBe(failed);
    });
    it("a revoked key → 401", async () => {
      const res = await send(revokedKey());
      expect(res.status).toBe(401);
    });
    it("a key without the scope → 403", async () => {
      const other = route.scope === "desktop" ? stack().keys.hpc : stack().keys.desktop;
      const res = await send(other);
      expect(res.status).toBe(403);
      expect(await envelopeOf(res)).toMatchObject({
        status: failed,
        message: expect.stringContaining(route.scope),
      });
    });
    it("the right scope → success (Bearer)", async () => {
      const res = await send(stack().keys[route.scope]);
      const body = await envelopeOf(res);
      expect({ http: res.status, status: body.status }).toEqual({
        http: route.okStatus ?? 200,
        status: route.method === "GET" ? 0 : "0",
      });
    });
    it("the right scope in X-API-Key → success", async () => {
      const res = await send(null, { "x-api-key": stack().keys[route.scope] });
      expect(res.status).toBe(route.okStatus ?? 200);
    });
  });
}

import type { Hono } from "hono";
import type { SimContext } from "./context.ts";
import { parseFaults } from "./faults.ts";
import { stateView } from "./state-view.ts";

/** The test-only control surface (SPEC 8): outside `/v2`, no token, never throttled or faulted. */
export function mountControl(app: Hono, ctx: SimContext, reset: () => void): void {
  app.get("/_sim/state", (c) => c.json(stateView(ctx)));
  app.get("/_sim/faults", (c) => c.json(ctx.faults.config));
  app.post("/_sim/faults", async (c) => {
    let body: unknown;
    try {
      body = JSON.parse((await c.req.text()) || "{}");
    } catch {
      return c.json({ error: "body must be JSON" }, 400);
    }
    try {
      ctx.faults.set(parseFaults(body));
    } catch (error) {
      return c.json({ error: (error as Error).message }, 400);
    }
    return c.json(ctx.faults.config);
  });
  app.post("/_sim/reset", (c) => {
    reset();
    return c.json({ ok: true });
  });
}

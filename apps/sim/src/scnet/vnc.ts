import { randomBytes } from "node:crypto";
import type { SimContext } from "../context.ts";
import { scnetError } from "../errors.ts";
import { hex32 } from "../random.ts";
import type { RouteDef } from "../routes.ts";
import type { VncSession } from "../state.ts";
import { plainTime } from "../time.ts";
import { ok, requireClusterToken } from "./tokens.ts";

const BASE = "/hpc/openapi/v2/desktop/vnc";

/** VNC sessions of seed 001: one per user; PUT returns the existing one. */
export function vncRoutes(ctx: SimContext): RouteDef[] {
  const owned = (user: string) => [...ctx.state.vncSessions.values()].filter((s) => s.user === user);
  return [
    {
      method: "PUT",
      path: BASE,
      handler: (c) => {
        const { user } = requireClusterToken(ctx, c);
        const session = owned(user)[0] ?? open(ctx, user);
        return ok(c, { ...session });
      },
    },
    {
      method: "GET",
      path: BASE,
      handler: (c) =>
        ok(
          c,
          owned(requireClusterToken(ctx, c).user).map((s) => ({ ...s })),
        ),
    },
    {
      method: "DELETE",
      path: `${BASE}/:session_id`,
      handler: (c) => {
        const { user } = requireClusterToken(ctx, c);
        const session = ctx.state.vncSessions.get(c.req.param("session_id")!);
        if (!session || session.user !== user) throw scnetError("815010");
        ctx.state.vncSessions.delete(session.sessionId);
        return ok(c, null);
      },
    },
    {
      method: "GET",
      path: `${BASE}/:session_id/launchurl`,
      handler: (c) => {
        const { user } = requireClusterToken(ctx, c);
        const session = ctx.state.vncSessions.get(c.req.param("session_id")!);
        if (!session || session.user !== user) throw scnetError("10004");
        const host = new URL(c.req.url).host;
        const ticket = randomBytes(16).toString("hex");
        return ok(c, `https://${host}/vnc/${encodeURIComponent(session.sessionId)}?ticket=${ticket}`);
      },
    },
  ];
}

function open(ctx: SimContext, user: string): VncSession {
  const n = ctx.state.counters.vnc++;
  const hostname = `gv${101 + (n % 8)}`;
  const sid = String(n + 1);
  const jobs = "SIG";
  const session: VncSession = {
    id: hex32(),
    createDate: plainTime(new Date()),
    hostname,
    jobs,
    length: "1080",
    width: "1920",
    name: `${hostname}:${sid}`,
    sid,
    user,
    ip: `10.0.41.${101 + (n % 8)}`,
    sessionId: `${hostname}--${user}--${jobs}--${sid}`,
  };
  ctx.state.vncSessions.set(session.sessionId, session);
  return session;
}

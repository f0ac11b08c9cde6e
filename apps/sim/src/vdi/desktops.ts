import type { Context } from "hono";
import { phaseMs, type SimContext } from "../context.ts";
import { badRequest, desktopBusy } from "../errors.ts";
import { noContent, paginate, readPage } from "../http.ts";
import type { RouteDef } from "../routes.ts";
import type { DesktopRecord } from "../state.ts";
import { findDesktop } from "./desktop-rules.ts";
import { desktopDetail, simpleDesktop } from "./views.ts";

/** `GET /desktops`, `GET /desktops/{id}`, `DELETE /desktops/{id}`. */
export function desktopRoutes(ctx: SimContext): RouteDef[] {
  return [
    {
      method: "GET",
      path: "/desktops",
      handler: (c) => {
        const matches = [...ctx.state.desktops.values()].filter(listFilter(c));
        const page = readPage(c, 1000, 1000);
        return c.json({ total_count: matches.length, desktops: paginate(matches, page).map(simpleDesktop) });
      },
    },
    {
      method: "GET",
      path: "/desktops/:desktop_id",
      handler: (c) => c.json({ desktop: desktopDetail(findDesktop(ctx, c.req.param("desktop_id")!)) }),
    },
    {
      method: "DELETE",
      path: "/desktops/:desktop_id",
      handler: (c) => {
        const desktop = findDesktop(ctx, c.req.param("desktop_id")!);
        const deleteUsers = boolQuery(c, "delete_users");
        boolQuery(c, "email_notification");
        boolQuery(c, "is_force_delete");
        if (desktop.busy || desktop.status === "DELETING") {
          throw desktopBusy(desktop.status || "BUILD", "delete");
        }
        desktop.status = "DELETING";
        desktop.task_status = "deleting";
        ctx.scheduler.after(phaseMs(ctx), () => removeDesktop(ctx, desktop, deleteUsers));
        return noContent(c);
      },
    },
  ];
}

/** user_name: case-insensitive substring ("fuzzy"); computer_name, status, desktop_type: exact; desktop_id: any of. */
function listFilter(c: Context): (d: DesktopRecord) => boolean {
  const userName = c.req.query("user_name")?.toLowerCase();
  const computerName = c.req.query("computer_name")?.toLowerCase();
  const status = c.req.query("status");
  const desktopType = c.req.query("desktop_type");
  const ids = (c.req.queries("desktop_id") ?? []).flatMap((v) => v.split(",")).filter(Boolean);
  if (ids.length > 100) throw badRequest("Invalid parameter: desktop_id accepts at most 100 ids.");
  return (d) =>
    (!userName || d.user_name.toLowerCase().includes(userName)) &&
    (!computerName || d.computer_name.toLowerCase() === computerName) &&
    (!status || d.status === status) &&
    (!desktopType || desktopType.split(",").includes(d.desktop_type)) &&
    (ids.length === 0 || ids.includes(d.desktop_id));
}

function boolQuery(c: Context, name: string): boolean {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return false;
  if (raw !== "true" && raw !== "false")
    throw badRequest(`Invalid parameter: ${name} must be true or false.`);
  return raw === "true";
}

/** The end of a delete: the desktop, its policy targets and (if asked and now desktop-less) its user go. */
export function removeDesktop(ctx: SimContext, desktop: DesktopRecord, deleteUsers: boolean): void {
  const { state } = ctx;
  state.desktops.delete(desktop.desktop_id);
  for (const group of state.policyGroups.values()) {
    group.targets = group.targets.filter(
      (t) => !(t.target_type === "INSTANCE" && t.target_id === desktop.sid),
    );
  }
  const ownsOther = [...state.desktops.values()].some((d) => d.user_id === desktop.user_id);
  if (deleteUsers && !ownsOther) state.users.delete(desktop.user_id);
}

import { eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { desktops, drift, vdiUsers } from "../schema/platform.ts";
import { tasks } from "../schema/tasks.ts";

export type DesktopRow = typeof desktops.$inferSelect;
export type VdiUserRow = typeof vdiUsers.$inferSelect;

/** Update what the worker learnt about a desktop (flavour, sid, policy); a no-op for unknown desktops. */
export async function updateDesktopMirror(
  db: Executor,
  desktopUuid: string,
  patch: Partial<
    Pick<
      typeof desktops.$inferInsert,
      "productId" | "sid" | "cpu" | "memoryBytes" | "status" | "usbEnable" | "dataAccess" | "username" | "os"
    >
  >,
): Promise<boolean> {
  const rows = await db
    .update(desktops)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(desktops.desktopUuid, desktopUuid))
    .returning({ id: desktops.desktopUuid });
  return rows.length === 1;
}

export async function getDesktopRow(db: Executor, desktopUuid: string): Promise<DesktopRow | undefined> {
  const [row] = await db.select().from(desktops).where(eq(desktops.desktopUuid, desktopUuid));
  return row;
}

export async function deleteDesktopRow(db: Executor, desktopUuid: string): Promise<void> {
  await db.delete(desktops).where(eq(desktops.desktopUuid, desktopUuid));
}

/** Every user deskgate knows (reconcile walks them). */
export async function listKnownUsers(db: Executor): Promise<VdiUserRow[]> {
  return db.select().from(vdiUsers).orderBy(vdiUsers.username);
}

/** One drift record: what reconcile found changed outside deskgate. */
export async function recordDrift(
  db: Executor,
  entry: { objectKind: "user" | "desktop" | "volume"; objectId: string; change: string; detail?: unknown },
): Promise<void> {
  await db.insert(drift).values({ ...entry, detail: entry.detail ?? null });
}

/**
 * Upstream object ids and names that unfinished tasks are working on (from their progress),
 * so reconcile does not mistake a desktop or disk being made right now for drift.
 */
export async function inFlightObjectIds(db: Executor): Promise<Set<string>> {
  const rows = await db
    .select({ progress: tasks.progress, request: tasks.request })
    .from(tasks)
    .where(inArray(tasks.state, ["queued", "running"]));
  const ids = new Set<string>();
  for (const { progress, request } of rows) {
    const p = (progress ?? {}) as Record<string, unknown>;
    const r = (request ?? {}) as Record<string, unknown>;
    for (const key of ["desktopId", "desktopName", "volumeId", "username"]) {
      if (typeof p[key] === "string") ids.add(p[key] as string);
    }
    if (typeof r.desktop_uuid === "string") ids.add(r.desktop_uuid);
    // an offboarding (or lock) names its user: their desktops vanish while it runs
    if (typeof r.username === "string") ids.add(r.username);
  }
  return ids;
}

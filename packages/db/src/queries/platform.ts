import { eq, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { desktops, userGroups, vdiUsers } from "../schema/platform.ts";

/** The next number of a group, atomically: concurrent callers never get the same one. */
export async function allocateGroupNumber(db: Executor, groupName: string): Promise<number> {
  const [row] = await db
    .insert(userGroups)
    .values({ groupName, lastNumber: 1 })
    .onConflictDoUpdate({
      target: userGroups.groupName,
      set: { lastNumber: sql`${userGroups.lastNumber} + 1` },
    })
    .returning({ n: userGroups.lastNumber });
  return row!.n;
}

export async function upsertUser(
  db: Executor,
  user: {
    username: string;
    upstreamId: string;
    groupName: string | null;
    createdByTask: string | null;
    /** Set on insert only: a row's owner changes by `deskgate users assign`, never by a task. */
    tenant?: string | null;
  },
): Promise<void> {
  await db
    .insert(vdiUsers)
    .values(user)
    .onConflictDoUpdate({
      target: vdiUsers.username,
      set: { upstreamId: user.upstreamId, updatedAt: sql`now()` },
    });
}

export async function deleteUserRow(db: Executor, username: string): Promise<void> {
  await db.delete(vdiUsers).where(eq(vdiUsers.username, username));
}

export async function upsertDesktop(db: Executor, desktop: typeof desktops.$inferInsert): Promise<void> {
  await db
    .insert(desktops)
    .values(desktop)
    .onConflictDoUpdate({
      target: desktops.desktopUuid,
      set: {
        desktopName: desktop.desktopName,
        username: desktop.username,
        status: desktop.status,
        productId: desktop.productId ?? null,
        updatedAt: sql`now()`,
      },
    });
}

export async function findUser(db: Executor, username: string) {
  const [row] = await db.select().from(vdiUsers).where(eq(vdiUsers.username, username));
  return row;
}

export async function listDesktopsOfUser(db: Executor, username: string) {
  return db.select().from(desktops).where(eq(desktops.username, username)).orderBy(desktops.createdAt);
}

/**
 * Give a user, and every desktop of theirs, to `tenant` (null: unassigned, admin only).
 * Returns how many desktops moved, or null when deskgate does not know the user.
 */
export async function assignUser(db: Executor, username: string, tenant: string | null) {
  const [user] = await db
    .update(vdiUsers)
    .set({ tenant, updatedAt: sql`now()` })
    .where(eq(vdiUsers.username, username))
    .returning({ username: vdiUsers.username });
  if (!user) return null;
  const moved = await db
    .update(desktops)
    .set({ tenant, updatedAt: sql`now()` })
    .where(eq(desktops.username, username))
    .returning({ desktopUuid: desktops.desktopUuid });
  return moved.length;
}

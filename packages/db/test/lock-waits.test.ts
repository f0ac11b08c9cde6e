import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  acquireLock,
  connect,
  type Database,
  dueWaits,
  lockWaitId,
  parkTask,
  releaseLocksOf,
  runMigrations,
} from "../src/index.ts";
import { createTestDatabase } from "../src/testing/index.ts";

/**
 * Tasks parked on a held desktop lock (issue 17.5) are woken by the holder's release. A waiter
 * whose take failed, but whose park commits only after the holder released (found by the kill9
 * drill: it then slept the whole 60 s recheck), must be due at once. Real PostgreSQL.
 */
let database: Database;
let drop: () => Promise<void>;

beforeAll(async () => {
  const made = await createTestDatabase();
  drop = made.drop;
  await runMigrations(made.url);
  database = connect(made.url, { max: 5 });
});
afterAll(async () => {
  await database.close();
  await drop();
});

async function runningTask(): Promise<string> {
  const id = randomUUID();
  await database.sql`insert into tasks (id, kind, state, request) values
    (${id}, 'desktop.power', 'running', '{"desktop_uuid":"d-1"}'::jsonb)`;
  return id;
}
const dueIds = async () => (await dueWaits(database.db, 100)).map((w) => w.taskId);
const park = (taskId: string, resource: string) =>
  database.db.transaction((tx) =>
    parkTask(tx, { taskId, platformJobId: lockWaitId(resource), checkAfterMs: 60_000 }),
  );

describe("parking on a desktop lock", () => {
  it("while the holder runs: not due until it releases, then due at once", async () => {
    const [holder, waiter] = [await runningTask(), await runningTask()];
    expect(await acquireLock(database.db, "desktop:a", holder)).toBe(true);
    expect(await acquireLock(database.db, "desktop:a", waiter)).toBe(false);
    expect(await park(waiter, "desktop:a")).toBe(true);
    expect(await dueIds()).not.toContain(waiter);
    await database.sql`update tasks set state = 'succeeded' where id = ${holder}`;
    await releaseLocksOf(database.db, holder);
    expect(await dueIds()).toContain(waiter);
  });

  it("the holder released between the waiter's failed take and its park: due at once", async () => {
    const [holder, waiter] = [await runningTask(), await runningTask()];
    expect(await acquireLock(database.db, "desktop:b", holder)).toBe(true);
    expect(await acquireLock(database.db, "desktop:b", waiter)).toBe(false);
    await database.sql`update tasks set state = 'succeeded' where id = ${holder}`;
    await releaseLocksOf(database.db, holder); // wakes nobody: the waiter is not parked yet
    expect(await park(waiter, "desktop:b")).toBe(true);
    expect(await dueIds()).toContain(waiter);
  });
});

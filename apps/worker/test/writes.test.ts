import { connect, type Database, getTask, insertTask, saveProgress } from "@deskgate/db";
import { createTestDatabase } from "@deskgate/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushedBeforeCalls, heldWrites } from "../src/writes.ts";

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let database: Database;

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = connect(testDb.url, { max: 4 });
});
afterAll(async () => {
  await database?.close();
  await testDb?.drop();
});

async function newTask() {
  const id = crypto.randomUUID();
  await insertTask(database.db, { id, kind: "desktop.apply", request: {}, callbackUrl: null });
  return id;
}
const progressOf = async (id: string) => (await getTask(database.db, id))!.progress;

describe("held writes of a task run", () => {
  it("are committed, in order, before the next upstream call goes out — not before", async () => {
    const id = await newTask();
    const writes = heldWrites(database);
    const seenByUpstream: unknown[] = [];
    const platform = flushedBeforeCalls(
      { call: async () => seenByUpstream.push(await progressOf(id)) },
      writes,
    );
    await writes.write((db) => saveProgress(db, id, { a: 1, b: 1 }));
    await writes.write((db) => saveProgress(db, id, { b: 2 }));
    expect(await progressOf(id)).toEqual({});
    await platform.call();
    expect(seenByUpstream).toEqual([{ a: 1, b: 2 }]);
  });

  it("`now` runs after what is held, in the same transaction, and returns its value", async () => {
    const id = await newTask();
    const writes = heldWrites(database);
    await writes.write((db) => saveProgress(db, id, { step: "one" }));
    const read = await writes.now(async (db) => (await getTask(db, id))!.progress);
    expect(read).toEqual({ step: "one" });
  });

  it("a failing write rolls the whole group back", async () => {
    const id = await newTask();
    const writes = heldWrites(database);
    await writes.write((db) => saveProgress(db, id, { kept: false }));
    await writes.write((db) => db.execute("select 1/0"));
    await expect(writes.flush()).rejects.toThrow(/select 1\/0/);
    expect(await progressOf(id)).toEqual({});
    await writes.flush(); // nothing is held any more
  });
});

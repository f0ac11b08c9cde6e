import { connect, createBoss, type Database, type PgBoss } from "@deskgate/db";
import { createTestDatabase } from "@deskgate/db/testing";
import { createLogger } from "@deskgate/runtime";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Dispatcher, startDispatcher } from "../src/dispatcher.ts";

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let database: Database;
let boss: PgBoss;
let dispatcher: Dispatcher | undefined;
const logger = createLogger({ name: "test", level: "silent" });

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = connect(testDb.url, { max: 10 });
  boss = createBoss(testDb.url, { supervise: false, schedule: false });
  boss.on("error", () => {});
  await boss.start();
});
afterEach(async () => {
  await dispatcher?.stop(5000);
  dispatcher = undefined;
});
afterAll(async () => {
  await boss?.stop({ graceful: false });
  await database?.close();
  await testDb?.drop();
});

/** A job handler whose jobs end only when the test says so. */
function gate() {
  const started: string[] = [];
  const release = new Map<string, () => void>();
  let running = 0;
  let peak = 0;
  return {
    started,
    peak: () => peak,
    release: (n: string) => release.get(n)!(),
    handle: async (_queue: string, job: { data: unknown }) => {
      const n = (job.data as { n: string }).n;
      running++;
      peak = Math.max(peak, running);
      started.push(n);
      await new Promise<void>((r) => release.set(n, r));
      running--;
      if (n.startsWith("fail")) throw new Error(`job ${n} failed`);
    },
  };
}

const jobState = async (id: string) =>
  (await database.sql`select state, retry_count from pgboss.job where id = ${id}`)[0] as
    | { state: string; retry_count: number }
    | undefined;

describe("dispatcher", () => {
  it("keeps its lane's slots full: a slot freed by a quick job goes to the next job at once", async () => {
    const g = gate();
    // no polling to speak of: everything below is woken by NOTIFY or a freed slot
    dispatcher = await startDispatcher({
      boss,
      database,
      logger,
      lanes: [{ queues: ["hpc.vnc_list", "hpc.vnc_close"], concurrency: 3 }],
      handle: g.handle,
      pollIntervalMs: 60_000,
    });
    const ids: string[] = [];
    for (const n of ["slow", "a", "b", "c", "d"]) {
      ids.push((await boss.send(n === "d" ? "hpc.vnc_close" : "hpc.vnc_list", { n }))!);
    }
    await expect.poll(() => g.started.length).toBe(3);
    expect(g.started).toEqual(["slow", "a", "b"]);
    g.release("a"); // "slow" still runs; its batch-mate's slot is reused anyway
    await expect.poll(() => g.started.length).toBe(4);
    g.release("b");
    await expect.poll(() => g.started.length).toBe(5);
    expect(g.started.slice(3).sort()).toEqual(["c", "d"]);
    expect(g.peak()).toBe(3);
    expect((await jobState(ids[1]!))!.state).toBe("completed");
    expect((await jobState(ids[0]!))!.state).toBe("active");
    g.release("c");
    g.release("d");
    g.release("slow");
    await expect.poll(async () => (await jobState(ids[0]!))!.state).toBe("completed");
  });

  it("a failing job is failed on its own and retried by pg-boss", async () => {
    const g = gate();
    dispatcher = await startDispatcher({
      boss,
      database,
      logger,
      lanes: [{ queues: ["hpc.vnc_open"], concurrency: 2 }],
      handle: g.handle,
      pollIntervalMs: 100,
    });
    const bad = (await boss.send("hpc.vnc_open", { n: "fail-1" }, { retryLimit: 1, retryDelay: 0 }))!;
    const good = (await boss.send("hpc.vnc_open", { n: "ok" }))!;
    await expect.poll(() => g.started.length).toBe(2);
    g.release("fail-1");
    g.release("ok");
    await expect.poll(async () => (await jobState(good))!.state).toBe("completed");
    // the retry runs the failing job again
    await expect.poll(() => g.started.filter((n) => n === "fail-1").length, { timeout: 5000 }).toBe(2);
    g.release("fail-1");
    await expect.poll(async () => (await jobState(bad))!.state).toBe("failed");
    expect((await jobState(bad))!.retry_count).toBe(1);
  });

  it("stop lets running jobs finish and fetches nothing more", async () => {
    const g = gate();
    const d = await startDispatcher({
      boss,
      database,
      logger,
      lanes: [{ queues: ["user.pwd_reset"], concurrency: 1 }],
      handle: g.handle,
    });
    const first = (await boss.send("user.pwd_reset", { n: "first" }))!;
    const second = (await boss.send("user.pwd_reset", { n: "second" }))!;
    await expect.poll(() => g.started.length).toBe(1);
    const stopped = d.stop(5000);
    setTimeout(() => g.release("first"), 50);
    await stopped;
    expect(d.running()).toBe(0);
    expect((await jobState(first))!.state).toBe("completed");
    expect((await jobState(second))!.state).toBe("created");
    expect(g.started).toEqual(["first"]);
  });
});

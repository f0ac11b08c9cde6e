import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connect,
  createBoss,
  createIntake,
  type Database,
  type IntakeEntry,
  type PgBoss,
} from "../src/index.ts";
import { createTestDatabase } from "../src/testing/index.ts";

let database: Database;
let boss: PgBoss;
let drop: () => Promise<void>;

beforeAll(async () => {
  const created = await createTestDatabase();
  drop = created.drop;
  database = connect(created.url, { max: 10 });
  boss = createBoss(created.url, { supervise: false, schedule: false });
  await boss.start();
});
afterAll(async () => {
  await boss.stop({ graceful: false });
  await database.close();
  await drop();
});

const API_KEY = "00000000-0000-4000-8000-00000000a11e";

function entry(key?: string, fingerprint = "f"): IntakeEntry {
  return {
    task: { id: randomUUID(), kind: "desktop.apply", request: { n: 1 }, callbackUrl: null, apiKeyId: null },
    ...(key && {
      idempotency: {
        apiKeyId: API_KEY,
        method: "POST",
        path: "/api/desktop/apply",
        key,
        fingerprint,
        ttlSeconds: 60,
      },
    }),
  };
}

async function written(ids: string[]) {
  const { sql } = database;
  const tasks = await sql`select id from tasks where id = any(${ids}::uuid[])`;
  const jobs = await sql`select data->>'task_id' as task_id from pgboss.job
    where name = 'desktop.apply' and data->>'task_id' = any(${ids})`;
  return { tasks: tasks.map((r) => r.id as string), jobs: jobs.map((r) => r.task_id as string) };
}

describe("intake (group commit)", () => {
  it("commits concurrent requests in few transactions, each task with its job, one winner per key", async () => {
    const groups: number[] = [];
    const intake = createIntake(database, boss, { onCommit: (size) => groups.push(size) });
    const entries = [
      ...Array.from({ length: 150 }, () => entry()),
      ...Array.from({ length: 40 }, (_, i) => entry(`k-${i}`)),
      // the same keys again, in the same burst
      ...Array.from({ length: 40 }, (_, i) => entry(`k-${i}`)),
    ];
    const claimed = await Promise.all(entries.map((e) => intake.submit(e)));

    expect(claimed.slice(0, 150).every(Boolean)).toBe(true);
    for (let i = 0; i < 40; i++) expect([claimed[150 + i], claimed[190 + i]].filter(Boolean)).toHaveLength(1);
    const winners = entries.filter((_, i) => claimed[i]).map((e) => e.task.id);
    const losers = entries.filter((_, i) => !claimed[i]).map((e) => e.task.id);
    expect(winners).toHaveLength(190);

    const ok = await written(winners);
    expect(ok.tasks.sort()).toEqual([...winners].sort());
    expect(ok.jobs.sort()).toEqual([...winners].sort());
    expect(await written(losers)).toEqual({ tasks: [], jobs: [] });
    // the first request commits alone; the rest wait for it and go in groups
    expect(groups[0]).toBe(1);
    expect(groups.length).toBeLessThan(10);
    expect(groups.reduce((a, b) => a + b, 0)).toBe(entries.length);
  });

  it("a key claimed earlier writes nothing and answers false", async () => {
    const intake = createIntake(database, boss);
    expect(await intake.submit(entry("again"))).toBe(true);
    const second = entry("again", "other body");
    expect(await intake.submit(second)).toBe(false);
    expect(await written([second.task.id])).toEqual({ tasks: [], jobs: [] });
  });

  it("a group whose commit fails is retried one by one: only the bad entry fails", async () => {
    const intake = createIntake(database, boss);
    const first = entry();
    await intake.submit(first);
    const good = Array.from({ length: 20 }, () => entry());
    const clash = entry();
    clash.task.id = first.task.id; // primary key violation
    const results = await Promise.allSettled([entry(), ...good, clash].map((e) => intake.submit(e)));
    expect(results.at(-1)!.status).toBe("rejected");
    expect(results.slice(0, -1).every((r) => r.status === "fulfilled" && r.value)).toBe(true);
    const ids = good.map((e) => e.task.id);
    expect((await written(ids)).jobs.sort()).toEqual([...ids].sort());
    // the clash left no second job for the first task
    expect((await written([first.task.id])).jobs).toHaveLength(1);
  });

  it("an unreachable database fails every waiting request with the connection error", async () => {
    const dead = connect("postgres://nobody@127.0.0.1:1/none?connect_timeout=2", { max: 1 });
    try {
      const intake = createIntake(dead, boss);
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => intake.submit(entry())));
      for (const r of results) {
        expect(r.status).toBe("rejected");
        expect((r as PromiseRejectedResult).reason.code).toBe("ECONNREFUSED");
      }
    } finally {
      await dead.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  allocateGroupNumber,
  connect,
  type Database,
  getOrCreateSetting,
  runMigrations,
} from "../src/index.ts";
import { createTestDatabase } from "../src/testing/index.ts";

let database: Database;
let drop: () => Promise<void>;
let url: string;

beforeAll(async () => {
  ({ url, drop } = await createTestDatabase());
  database = connect(url, { max: 20 });
});
afterAll(async () => {
  await database.close();
  await drop();
});

describe("group numbering", () => {
  it("hands out distinct consecutive numbers to concurrent callers", async () => {
    const numbers = await Promise.all(
      Array.from({ length: 40 }, () => allocateGroupNumber(database.db, "lab")),
    );
    expect(new Set(numbers).size).toBe(40);
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it("numbers groups independently", async () => {
    expect(await allocateGroupNumber(database.db, "other")).toBe(1);
  });
});

describe("migrations", () => {
  it("are idempotent and safe when several processes apply them at once", async () => {
    await Promise.all([runMigrations(url), runMigrations(url), runMigrations(url)]);
    const rows = await database.sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
    expect(rows[0]!.n).toBeGreaterThan(0);
  });
});

describe("settings", () => {
  it("keeps the first value when several processes create a setting at once", async () => {
    const values = await Promise.all(
      Array.from({ length: 10 }, (_, i) => getOrCreateSetting(database.db, "k", () => `v${i}`)),
    );
    expect(new Set(values).size).toBe(1);
  });
});

describe("operator views", () => {
  it("show a task with its last delivery, stuck tasks, failed deliveries and queue depth", async () => {
    const { sql } = database;
    const taskId = "00000000-0000-4000-8000-0000000000a1";
    await sql`insert into tasks (id, kind, state, request, updated_at) values
      (${taskId}, 'desktop.apply', 'running', '{}', now() - interval '2 hours')`;
    await sql`insert into callback_deliveries (id, task_id, webhook_id, url, body, state, attempts)
      values ('00000000-0000-4000-8000-0000000000b1', ${taskId}, 'msg_1', 'http://x/cb', '{}', 'failed', 8)`;
    await sql`insert into callback_attempts (delivery_id, attempt, trigger, outcome, http_status, error_class)
      values ('00000000-0000-4000-8000-0000000000b1', 8, 'scheduled', 'failed', 500, 'http_status')`;
    const [task] = await sql`select * from ops_tasks where task_id = ${taskId}`;
    expect(task).toMatchObject({ state: "running", callback_state: "failed", last_http_status: 500 });
    const stuck = await sql`select task_id from ops_stuck_tasks`;
    expect(stuck.map((r) => r.task_id)).toEqual([taskId]);
    const [failed] = await sql`select * from ops_failed_deliveries`;
    expect(failed).toMatchObject({ webhook_id: "msg_1", last_error_class: "http_status" });
    const depth = await sql`select * from ops_queue_depth`;
    expect(Array.isArray(depth)).toBe(true);
  });

  it("a task parked on a platform job is stuck only once no watcher has checked it for 5 minutes", async () => {
    const { sql } = database;
    const taskId = "00000000-0000-4000-8000-0000000000a2";
    await sql`insert into tasks (id, kind, state, request, updated_at) values
      (${taskId}, 'desktop.apply', 'running', '{}', now() - interval '40 minutes')`;
    await sql`insert into task_waits (task_id, platform_job_id, since, next_check_at, resume_token)
      values (${taskId}, 'job-1', now() - interval '40 minutes', now() + interval '5 seconds',
              '00000000-0000-4000-8000-0000000000c2')`;
    const stuckIds = async () => (await sql`select task_id from ops_stuck_tasks`).map((r) => r.task_id);
    expect(await stuckIds()).not.toContain(taskId);
    await sql`update task_waits set next_check_at = now() - interval '6 minutes' where task_id = ${taskId}`;
    expect(await stuckIds()).toContain(taskId);
    await sql`update task_waits set next_check_at = now(), resumed = true where task_id = ${taskId}`;
    expect(await stuckIds()).toContain(taskId); // resumed, yet its run did not move it for 30 min
  });
});

import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { join, resolve } from "node:path";
import {
  connect,
  createBoss,
  type Database,
  ensureQueues,
  findApiKey,
  getTask,
  listAttempts,
  listDeliveries,
  type PgBoss,
} from "@deskgate/db";
import { createTestDatabase } from "@deskgate/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli.ts";

const main = resolve(import.meta.dirname, "../src/main.ts");
let url: string;
let drop: () => Promise<void>;
let database: Database;
/** Only to create the queues and look at jobs: no worker runs in these tests. */
let boss: PgBoss;
const encryptionKey = randomBytes(32).toString("base64");

beforeAll(async () => {
  ({ url, drop } = await createTestDatabase());
  database = connect(url, { max: 2 });
  boss = createBoss(url, { supervise: false, schedule: false });
  await boss.start();
  await ensureQueues(boss);
});
afterAll(async () => {
  await boss.stop({ graceful: false });
  await database.close();
  await drop();
});

/** Run a CLI command in-process (the same entry point main.ts calls), capturing its output. */
async function cli(
  args: string[],
  stdin = "",
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(
    args,
    () => ({
      target: { databaseUrl: url, encryptionKey },
      write: (t) => (stdout += t),
      readStdin: async () => stdin,
    }),
    (t) => (stderr += t),
  );
  return { code, stdout, stderr };
}

/** Run the real CLI as a process, as an operator would. */
function spawnCli(
  args: string[],
  stdin = "",
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const proc = spawn(process.execPath, [main, ...args], {
      env: {
        ...process.env,
        DATABASE_URL: url,
        DESKGATE_ENCRYPTION_KEY: encryptionKey,
        DESKGATE_DATA_DIR: join("/nonexistent"),
      },
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (c) => (stdout += c));
    proc.stderr.on("data", (c) => (stderr += c));
    proc.on("exit", (code) => done({ code, stdout, stderr }));
    proc.stdin.end(stdin);
  });
}

describe("deskgate CLI", () => {
  it("creates a key, shows it once, stores only its hash, lists and revokes it", async () => {
    const created = await cli(["keys", "create", "erp", "--scopes", "desktop,hpc", "--json"]);
    expect(created.code).toBe(0);
    const { key } = JSON.parse(created.stdout) as { key: string };
    expect(key).toMatch(/^dg_[A-Za-z0-9_-]{43}$/);
    const row = await findApiKey(database.db, key);
    expect(row).toMatchObject({ name: "erp", scopes: ["desktop", "hpc"] });
    expect(JSON.stringify(row)).not.toContain(key);

    const listed = await cli(["keys", "list"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^NAME +PREFIX +SCOPES/);
    expect(listed.stdout).toContain("erp");
    expect(listed.stdout).not.toContain(key);

    expect((await cli(["keys", "create", "erp", "--scopes", "desktop"])).code).toBe(2);
    expect((await cli(["keys", "create", "bad", "--scopes", "root"])).stderr).toContain(
      "--scopes must list some of",
    );

    expect((await cli(["keys", "revoke", "erp"])).code).toBe(0);
    expect((await findApiKey(database.db, key))?.revokedAt).not.toBeNull();
  });

  it("adds an HPC account with its password sealed, lists and removes it", async () => {
    const added = await cli(
      ["hpc", "accounts", "add", "lab", "--user", "hpcuser", "--org", "org-1"],
      "s3cret-pass\n",
    );
    expect(added.code).toBe(0);
    const [row] = await database.sql`select sealed_password from hpc_accounts where name = 'lab'`;
    expect(row!.sealed_password).toMatch(/^v1\./);
    expect(row!.sealed_password).not.toContain("s3cret");
    const listed = await cli(["hpc", "accounts", "list", "--json"]);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ name: "lab", platformUser: "hpcuser", hasToken: false }),
    ]);
    expect(listed.stdout).not.toContain("s3cret");
    expect((await cli(["hpc", "accounts", "remove", "lab"])).code).toBe(0);
    expect((await cli(["hpc", "accounts", "remove", "lab"])).code).toBe(2);
  });

  it("lists tasks with filters and search, and shows one with its steps", async () => {
    const id = randomUUID();
    await database.sql`insert into tasks (id, kind, state, request, result) values
      (${id}, 'desktop.apply', 'succeeded', ${JSON.stringify({ username: "grp", os: "win10" })}::jsonb,
       ${JSON.stringify({ username: "grp_01", desktop_uuid: "d-123" })}::jsonb)`;
    await database.sql`insert into task_steps (task_id, name, outcome) values (${id}, 'create_user', 'ok')`;
    const other = randomUUID();
    await database.sql`insert into tasks (id, kind, state, request) values (${other}, 'user.pwd_reset', 'failed', '{}')`;

    const all = JSON.parse((await cli(["tasks", "list", "--json"])).stdout) as { id: string }[];
    expect(all.map((t) => t.id).sort()).toEqual([id, other].sort());
    const failed = JSON.parse((await cli(["tasks", "list", "--state", "failed", "--json"])).stdout) as {
      id: string;
    }[];
    expect(failed.map((t) => t.id)).toEqual([other]);
    for (const search of ["grp_01", "d-123", id]) {
      const found = JSON.parse((await cli(["tasks", "list", "--search", search, "--json"])).stdout) as {
        id: string;
      }[];
      expect(found.map((t) => t.id)).toEqual([id]);
    }
    const shown = await cli(["tasks", "show", id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("create_user");
    expect(shown.stdout).toMatch(/state +succeeded/);
  });

  it("retries a failed task: queued again, failure cleared, other progress kept, job enqueued", async () => {
    const id = randomUUID();
    await database.sql`insert into tasks (id, kind, state, request, progress, error, finished_at) values
      (${id}, 'desktop.apply', 'failed', '{}', ${JSON.stringify({ userId: "u-1", failure: "no quota" })}::jsonb,
       'no quota', now())`;
    const retried = await cli(["tasks", "retry", id]);
    expect(retried.code).toBe(0);
    const task = await getTask(database.db, id);
    expect(task).toMatchObject({
      state: "queued",
      error: null,
      finishedAt: null,
      progress: { userId: "u-1" },
    });
    const jobs = await boss.findJobs("desktop.apply", { data: { task_id: id } });
    expect(jobs.map((j) => j.state)).toEqual(["created"]);

    const again = await cli(["tasks", "retry", id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("only a failed or cancelled task can be retried");
    expect((await cli(["tasks", "retry"])).code).toBe(2);
  });

  it("cancels a queued task: its job is cancelled and a failure callback is on its way", async () => {
    const id = randomUUID();
    await database.sql`insert into tasks (id, kind, state, request, callback_url) values
      (${id}, 'user.pwd_reset', 'queued', '{}', 'https://erp.example/cb')`;
    await boss.send("user.pwd_reset", { task_id: id });
    const cancelled = await cli(["tasks", "cancel", id]);
    expect(cancelled.code).toBe(0);
    expect(await getTask(database.db, id)).toMatchObject({
      state: "cancelled",
      error: "cancelled by an operator",
    });
    expect((await boss.findJobs("user.pwd_reset", { data: { task_id: id } }))[0]?.state).toBe("cancelled");
    const [delivery] = await listDeliveries(database.db, id);
    expect(JSON.parse(delivery!.body)).toEqual({
      data: { task_id: id },
      message: "cancelled by an operator",
      status: "-1",
    });
    const jobs = await boss.findJobs("callback.deliver", { data: { delivery_id: delivery!.id } });
    expect(jobs.map((j) => j.data)).toEqual([{ delivery_id: delivery!.id, attempt: 1 }]);
    expect((await cli(["tasks", "cancel", id])).stderr).toContain("task is cancelled");
  });

  it("requests a redelivery of a task's latest callback: a manual job waits for a worker", async () => {
    const id = randomUUID();
    await database.sql`insert into tasks (id, kind, state, request, callback_url) values
      (${id}, 'user.pwd_reset', 'failed', '{}', 'https://erp.example/cb')`;
    const older = randomUUID();
    const latest = randomUUID();
    await database.sql`insert into callback_deliveries (id, task_id, webhook_id, url, body, state, attempts, created_at)
      values (${older}, ${id}, 'msg_old', 'https://erp.example/cb', '{}', 'failed', 7, now() - interval '1 hour'),
             (${latest}, ${id}, 'msg_new', 'https://erp.example/cb', '{}', 'failed', 7, now())`;
    const requested = await cli(["callbacks", "redeliver", id, "--json"]);
    expect(requested.code).toBe(0);
    expect(JSON.parse(requested.stdout)).toMatchObject({ delivery: latest, redelivery: "requested" });
    const jobs = await boss.findJobs("callback.deliver", { data: { delivery_id: latest }, queued: true });
    expect(jobs.map((j) => j.data)).toEqual([{ delivery_id: latest, attempt: 8, manual: true }]);
    expect(await listAttempts(database.db, latest)).toEqual([]); // the worker makes the attempt

    expect((await cli(["callbacks", "redeliver", older])).code).toBe(0);
    expect((await cli(["callbacks", "redeliver", randomUUID()])).stderr).toContain("no delivery or task");
  });

  it("runs as a process: applies migrations, and answers unknown commands with the usage and exit code 2", async () => {
    expect((await spawnCli(["db", "migrate"])).code).toBe(0);
    const unknown = await spawnCli(["frobnicate", "now"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("deskgate tasks list");
  });
});

import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { connect, createBoss, type Database, enqueue, insertTask } from "@deskgate/db";
import { createTestDatabase } from "@deskgate/db/testing";
import { createSim } from "@deskgate/sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * SIGTERM on api and worker (SPEC 7): stop intake, finish or release in-flight work within a
 * bound, exit 0. Run as real processes, as an orchestrator would stop them.
 */
const root = resolve(import.meta.dirname, "..");
let db: { url: string; drop(): Promise<void> };
let database: Database;
let sim: Awaited<ReturnType<ReturnType<typeof createSim>["listen"]>>;
const procs: ChildProcess[] = [];
const encryptionKey = randomBytes(32).toString("base64"); // shared, as by every process of one deployment

beforeAll(async () => {
  db = await createTestDatabase();
  database = connect(db.url, { max: 4 });
  sim = await createSim({ jobPhaseMs: 400 }).listen(0);
});
afterAll(async () => {
  for (const p of procs) p.kill("SIGKILL");
  await sim?.close();
  await database?.close();
  await db?.drop();
});

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: db.url,
    DESKGATE_ENCRYPTION_KEY: encryptionKey,
    DESKGATE_VDI_URL: sim.url,
    DESKGATE_HPC_URL: sim.url,
    DESKGATE_VDI_POLL_INTERVAL_MS: "50",
    DESKGATE_VDI_RATE_PER_SEC: "0",
    DESKGATE_CALLBACK_ALLOWLIST: "127.0.0.1/32",
    DESKGATE_LOG_LEVEL: "info",
    ...extra,
  };
}

function start(app: "api" | "worker", extra: Record<string, string> = {}) {
  const proc = spawn(process.execPath, [resolve(root, `apps/${app}/src/main.ts`)], {
    env: env(extra),
    stdio: ["ignore", "pipe", "pipe"],
  });
  procs.push(proc);
  let output = "";
  proc.stdout!.on("data", (c) => (output += c));
  proc.stderr!.on("data", (c) => (output += c));
  const exited = new Promise<{ code: number | null; ms: number }>((done) => {
    let sentAt = 0;
    proc.on("kill" as never, () => {});
    const originalKill = proc.kill.bind(proc);
    proc.kill = (signal?: NodeJS.Signals | number) => {
      sentAt = Date.now();
      return originalKill(signal);
    };
    proc.on("exit", (code, signal) => done({ code: code ?? (signal ? -1 : null), ms: Date.now() - sentAt }));
  });
  return { proc, exited, output: () => output, waitFor: (re: RegExp) => waitFor(() => re.test(output)) };
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("graceful shutdown", () => {
  it("api: SIGTERM stops it cleanly with exit code 0", async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const api = start("api", { PORT: String(port) });
    await api.waitFor(/api listening/);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    api.proc.kill("SIGTERM");
    const { code, ms } = await api.exited;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(15_000);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it("worker: SIGTERM mid-task finishes or releases the task, exits 0, and the task completes", async () => {
    const worker = start("worker");
    await worker.waitFor(/worker started/);
    const taskId = randomUUID();
    const boss = createBoss(db.url, { supervise: false });
    boss.on("error", () => {});
    await boss.start();
    await database.db.transaction(async (tx) => {
      await insertTask(tx, {
        id: taskId,
        kind: "desktop.apply",
        request: { username: "drain", os: "win10", callback_url: "http://127.0.0.1:9/cb" },
        callbackUrl: null,
      });
      await enqueue(boss, tx, "desktop.apply", { task_id: taskId });
    });
    await boss.stop({ graceful: false });
    // Stop it while the platform is still building the desktop.
    await waitFor(
      async () =>
        (await database.sql`select 1 from task_steps where task_id = ${taskId} and name = 'wait_desktop'`)
          .length > 0,
    ).catch(async (e) => {
      const [task] = await database.sql`select state, error from tasks where id = ${taskId}`;
      throw new Error(`${e.message}: task ${JSON.stringify(task)}; worker output:\n${worker.output()}`);
    });
    worker.proc.kill("SIGTERM");
    const { code } = await worker.exited;
    expect(code, worker.output()).toBe(0);
    // Whatever the first worker did not finish, the next one does, from its recorded progress.
    const next = start("worker");
    await next.waitFor(/worker started/).catch((e) => {
      throw new Error(`${e.message}; second worker output:\n${next.output()}`);
    });
    await waitFor(async () => {
      const [row] = await database.sql`select state from tasks where id = ${taskId}`;
      return row?.state === "succeeded";
    }, 60_000);
    const state = (await (await fetch(`${sim.url}/_sim/state`)).json()) as {
      users: { user_name: string }[];
      desktops: { user_name: string }[];
    };
    expect(state.users.filter((u) => u.user_name === "drain_01")).toHaveLength(1);
    expect(state.desktops.filter((d) => d.user_name === "drain_01")).toHaveLength(1);
    next.proc.kill("SIGTERM");
    expect((await next.exited).code).toBe(0);
  }, 90_000);
});

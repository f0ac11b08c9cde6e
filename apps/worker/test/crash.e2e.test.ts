import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { connect, createBoss, enqueue, getTask, insertTask } from "@deskgate/db";
import { createTestDatabase } from "@deskgate/db/testing";
import { createSim } from "@deskgate/sim";
import { generateWebhookSecret } from "@deskgate/webhooks";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { SimState } from "./support/harness.ts";

/**
 * Crash safety of apply (and of an offboarding), with the worker as a real separate process killed with SIGKILL
 * at representative steps (a wait on a platform job parks the task, so a kill there leaves it parked for
 * the next worker's watcher) (as soon as the step's row appears in task_steps, i.e. around its
 * upstream call). pg-boss notices the dead worker through the heartbeat (10 s, supervisor
 * every 5 s) and the next worker process resumes from the recorded progress.
 */
const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let database: ReturnType<typeof connect>;
let sim: Awaited<ReturnType<ReturnType<typeof createSim>["listen"]>>;
let boss: ReturnType<typeof createBoss>;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
let receiverUrl = "";
let closeReceiver: () => Promise<void>;
const secret = generateWebhookSecret();
const children = new Set<ChildProcess>();

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = connect(testDb.url, { max: 4 });
  // Slow platform jobs (a phase of 10 s, a desktop in 20–30 s) outlast the ~15 s a killed job
  // waits for its re-run, so a kill during wait_desktop really lands while the job is running.
  sim = await createSim({ jobPhaseMs: 10_000 }).listen(0);
  // every upstream call takes 200 ms, so a step is still inside its upstream call when it is killed
  await fetch(`${sim.url}/_sim/faults`, { method: "POST", body: JSON.stringify({ latency_ms: 200 }) });
  boss = createBoss(testDb.url, { supervise: false, schedule: false });
  boss.on("error", () => {});
  await boss.start();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    res.end("ok");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`;
  closeReceiver = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
});

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await boss?.stop({ graceful: false });
  await closeReceiver?.();
  await sim?.close();
  await database?.close();
  await testDb?.drop();
});

function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: testDb.url,
      DESKGATE_ENCRYPTION_KEY: randomBytesKey,
      DESKGATE_WEBHOOK_SECRET: secret,
      DESKGATE_VDI_URL: sim.url,
      DESKGATE_HPC_URL: sim.url,
      DESKGATE_CALLBACK_ALLOWLIST: "127.0.0.1/32",
      DESKGATE_VDI_POLL_INTERVAL_MS: "50",
      DESKGATE_LOG_LEVEL: "warn",
      DESKGATE_WORKER_CONCURRENCY: "5",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.on("exit", () => children.delete(child));
  child.stdout?.on("data", () => {});
  child.stderr?.on("data", (d) => process.stderr.write(`[worker ${child.pid}] ${d}`));
  return child;
}
const randomBytesKey = randomBytes(32).toString("base64");

async function kill(child: ChildProcess) {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
  // A statement the dead process had already sent may still commit on the server: let it land
  // before the next run's steps are told apart from this one's.
  await new Promise((r) => setTimeout(r, 500));
}

/** The newest step row id of the task (0 when none). */
async function lastStepId(taskId: string): Promise<number> {
  const [row] = await database.sql<
    { id: string | null }[]
  >`select max(id) as id from task_steps where task_id = ${taskId}`;
  return Number(row?.id ?? 0);
}

/**
 * Resolves once a step row newer than `after` and named one of `names` exists: the run in the
 * current worker process has reached that step (or a later one, when an earlier run got further).
 */
async function stepAppears(
  taskId: string,
  names: string[],
  after: number,
  // a killed run is noticed after its heartbeat lapses (~15 s), then waits its retry backoff;
  // on a machine busy with other work this takes much longer than when alone
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await database.sql<{ id: string }[]>`
      select id from task_steps where task_id = ${taskId} and name = any(${names}) and id > ${after} limit 1`;
    if (rows[0]) return;
    if (Date.now() > deadline) throw new Error(`none of ${names.join(", ")} appeared`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function simState(): Promise<SimState> {
  return (await fetch(`${sim.url}/_sim/state`)).json() as Promise<SimState>;
}

it("apply killed with SIGKILL at create_user, create_desktop and wait_desktop: one user, one desktop, one callback", {
  timeout: 420_000,
}, async () => {
  const taskId = randomUUID();
  const group = "crash";
  await database.db.transaction(async (tx) => {
    await insertTask(tx, {
      id: taskId,
      kind: "desktop.apply",
      request: { username: group, os: "win10", callback_url: receiverUrl },
      callbackUrl: receiverUrl,
    });
    await enqueue(boss, tx, "desktop.apply", { task_id: taskId });
  });

  let worker: ChildProcess;
  for (const [i, step] of ["create_user", "create_desktop", "wait_desktop"].entries()) {
    const after = await lastStepId(taskId);
    worker = startWorkerProcess();
    await stepAppears(taskId, ["create_user", "create_desktop", "wait_desktop"].slice(i), after);
    if (step === "wait_desktop") await new Promise((r) => setTimeout(r, 300)); // mid-wait: the platform job runs
    await kill(worker);
  }

  worker = startWorkerProcess();
  const deadline = Date.now() + 120_000;
  while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const task = await getTask(database.db, taskId);
  expect(task?.state, task?.error ?? "").toBe("succeeded");
  await new Promise((r) => setTimeout(r, 1500)); // room for a duplicate to show up
  await kill(worker);

  const state = await simState();
  const users = state.users.filter((u) => u.user_name.startsWith(`${group}_`));
  expect(users.map((u) => u.user_name)).toEqual([`${group}_01`]);
  expect(state.desktops.filter((d) => d.user_name === `${group}_01`)).toHaveLength(1);

  expect(received).toHaveLength(1);
  const payload = new Webhook(secret).verify(
    received[0]!.body,
    received[0]!.headers as Record<string, string>,
  ) as {
    data: { task_id: string; username: string; password: string; desktop_uuid: string };
    status: string;
  };
  expect(payload.status).toBe("0");
  expect(payload.data).toMatchObject({ task_id: taskId, username: `${group}_01` });
  expect(payload.data.password).toBe(users[0]!.password);
  expect(payload.data.desktop_uuid).toBe(
    state.desktops.find((d) => d.user_name === `${group}_01`)?.desktop_id,
  );
  // the kills at create_user and create_desktop landed inside their step: each has a row the
  // killed run left unfinished. wait_desktop parks the task (no slot, nothing to kill): the
  // kill there takes the worker away while the task waits, and the next worker's watcher
  // resumes it — one wait_desktop row, ended ok.
  const killed = await database.sql<{ name: string }[]>`
    select distinct name from task_steps where task_id = ${taskId} and outcome = 'running'`;
  expect(killed.map((r) => r.name).sort()).toEqual(["create_desktop", "create_user"]);
  const waits = await database.sql<{ outcome: string }[]>`
    select outcome from task_steps where task_id = ${taskId} and name = 'wait_desktop'`;
  expect(waits.map((w) => w.outcome)).toEqual(["ok"]);
  const runs = await database.sql<{ n: number }[]>`select attempts as n from tasks where id = ${taskId}`;
  // attempts counts runs from the start of the task's plan: the two killed runs and the run
  // that parked. The resumes continue that run and do not count (the scale-out drill's
  // "ran more than once" reads this column).
  expect(runs[0]!.n).toBe(3);
});

it("offboard killed with SIGKILL at lock_user, delete_desktops and wait_deleted: one delete, everything gone, one callback", {
  timeout: 420_000,
}, async () => {
  const applyId = randomUUID();
  await database.db.transaction(async (tx) => {
    await insertTask(tx, {
      id: applyId,
      kind: "desktop.apply",
      request: { username: "leaver", os: "win10" },
      callbackUrl: null,
    });
    await enqueue(boss, tx, "desktop.apply", { task_id: applyId });
  });
  let worker = startWorkerProcess();
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
    const t = await getTask(database.db, applyId);
    if (t?.state === "succeeded" || t?.state === "failed") break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const applied = await getTask(database.db, applyId);
  expect(applied?.state, applied?.error ?? "").toBe("succeeded");
  const { username, desktop_uuid } = applied!.result as { username: string; desktop_uuid: string };
  await kill(worker);
  const before = received.length;
  const batchDeletes = async () =>
    (await simState()).stats.by_route["POST /v2/{p}/desktops/batch-delete"] ?? 0;
  const deletesBefore = await batchDeletes();

  const taskId = randomUUID();
  await database.db.transaction(async (tx) => {
    await insertTask(tx, {
      id: taskId,
      kind: "user.offboard",
      request: { username, callback_url: receiverUrl },
      callbackUrl: receiverUrl,
    });
    await enqueue(boss, tx, "user.offboard", { task_id: taskId });
  });
  const steps = ["lock_user", "delete_desktops", "wait_deleted"];
  for (const [i, step] of steps.entries()) {
    const after = await lastStepId(taskId);
    worker = startWorkerProcess();
    await stepAppears(taskId, steps.slice(i), after);
    if (step === "wait_deleted") await new Promise((r) => setTimeout(r, 300)); // mid-wait: the platform job runs
    await kill(worker);
  }

  worker = startWorkerProcess();
  const deadline = Date.now() + 120_000;
  while (received.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const task = await getTask(database.db, taskId);
  expect(task?.state, task?.error ?? "").toBe("succeeded");
  await new Promise((r) => setTimeout(r, 1500)); // room for a duplicate to show up
  await kill(worker);

  const state = await simState();
  expect(state.users.find((u) => u.user_name === username)).toBeUndefined();
  expect(state.desktops.find((d) => d.desktop_id === desktop_uuid)).toBeUndefined();
  expect(await batchDeletes()).toBe(deletesBefore + 1);
  expect(received).toHaveLength(before + 1);
  const payload = new Webhook(secret).verify(
    received.at(-1)!.body,
    received.at(-1)!.headers as Record<string, string>,
  ) as {
    data: { task_id: string; removed: { desktops: { desktop_uuid: string }[]; user: boolean } };
    status: string;
  };
  expect(payload.status).toBe("0");
  expect(payload.data.task_id).toBe(taskId);
  expect(payload.data.removed.desktops.map((d) => d.desktop_uuid)).toEqual([desktop_uuid]);
  expect(payload.data.removed.user).toBe(true);
  const mirrored = await database.sql`select 1 from desktops where desktop_uuid = ${desktop_uuid}
    union all select 1 from vdi_users where username = ${username}`;
  expect(mirrored).toHaveLength(0);
  // lock_user and delete_desktops were killed inside; wait_deleted parked (see the apply test)
  const killed = await database.sql<{ name: string }[]>`
    select distinct name from task_steps where task_id = ${taskId} and outcome = 'running'`;
  expect(killed.map((r) => r.name).sort()).toEqual(["delete_desktops", "lock_user"]);
});

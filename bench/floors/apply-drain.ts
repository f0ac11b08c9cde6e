/**
 * The fair drain floor: pg-boss (best measured shape, PERF.md) running, per job, the same
 * sequence of upstream calls as one deskgate apply against the same simulator, then one
 * callback POST — and no bookkeeping: no task row, no progress, no steps, no mirror, no
 * signing. What a worker must at least spend on an apply.
 * `node apply-drain.ts fill N` inserts N jobs and exits; `node apply-drain.ts work N` drains
 * them and prints `result {"jobs":…,"ms":…}` (first → last callback). Env: deskgate's
 * (DATABASE_URL, DESKGATE_VDI_*), CALLBACK_URL.
 */
import { randomBytes } from "node:crypto";
import { loadConfig, vdiAuth } from "@deskgate/runtime";
import { awaitJob, createWorkspacePlatform } from "@deskgate/upstream";
import { Agent, request } from "undici";
import { QUEUE, startBoss, workOptions } from "./common.ts";

const [mode, countArg] = process.argv.slice(2);
const total = Number(countArg);
const config = loadConfig(process.env);
const boss = await startBoss(config.DATABASE_URL!, mode === "work");

if (mode === "fill") {
  for (let i = 0; i < total; i += 1000) {
    const n = Math.min(1000, total - i);
    await boss.insert(
      QUEUE,
      Array.from({ length: n }, () => ({ data: { group: `f${randomBytes(6).toString("hex")}` } })),
    );
  }
  await boss.stop({ graceful: false });
  console.log(`filled ${total}`);
  process.exit(0);
}

const platform = createWorkspacePlatform({
  baseUrl: config.DESKGATE_VDI_URL,
  projectId: config.DESKGATE_VDI_PROJECT_ID,
  auth: vdiAuth(config),
  images: config.DESKGATE_VDI_OS_IMAGES,
  products: { windows: config.DESKGATE_VDI_PRODUCT_WINDOWS, linux: config.DESKGATE_VDI_PRODUCT_LINUX },
  canSetPassword: config.DESKGATE_VDI_SET_PASSWORD,
  ratePerSecond: config.DESKGATE_VDI_RATE_PER_SEC,
  requestTimeoutMs: config.DESKGATE_UPSTREAM_TIMEOUT_MS,
});
const agent = new Agent({ connections: 50 });
const callbackUrl = process.env.CALLBACK_URL!;

/** deskgate's apply of a new group user, call for call (apps/worker/src/jobs/apply.ts). */
async function apply(group: string) {
  await platform.findUser(group); // resolve_user
  const username = `${group}_01`;
  await platform.findUser(username); // allocate_username
  const user = (await platform.findUser(username)) ?? (await platform.createUser(username, `Pw-${group}!9a`));
  const name = `F-${group.slice(1, 14).toUpperCase()}`;
  await platform.findDesktopByName(name); // create_desktop looks first
  const { jobId } = await platform.createDesktop({ userName: user.name, os: "win10", name });
  const status = await awaitJob(platform, jobId, {
    intervalMs: config.DESKGATE_VDI_POLL_INTERVAL_MS,
    timeoutMs: config.DESKGATE_VDI_JOB_TIMEOUT_MS,
  });
  if (status.state !== "succeeded") throw new Error(`job ${jobId}: ${status.reason}`);
  const desktop = await platform.getDesktop(status.desktopId!);
  return { username, desktop_uuid: desktop!.id };
}

let done = 0;
let first = 0;
let last = 0;
const finished = Promise.withResolvers<void>();
const limit = setTimeout(() => finished.resolve(), 600_000);
await boss.work<{ group: string }>(QUEUE, workOptions(), async (jobs) => {
  await Promise.all(
    jobs.map(async ({ id, data }) => {
      const result = await apply(data.group);
      const res = await request(`${callbackUrl}/callbacks`, {
        method: "POST",
        dispatcher: agent,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ data: { task_id: id, ...result }, message: "", status: "0" }),
      });
      await res.body.dump();
      last = performance.now();
      if (!first) first = last;
      if (++done >= total) finished.resolve();
    }),
  );
});
console.log("fair drain ready");
await finished.promise;
clearTimeout(limit);
console.log(`result ${JSON.stringify({ jobs: done, ms: last - first })}`);
await boss.stop({ graceful: true, timeout: 5000 });
await platform.close();
process.exit(0);

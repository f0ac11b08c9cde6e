/**
 * `pnpm bench [--quick] [--only=accept,latency,drain,ratelimit,scale,longjobs]`: deskgate's figures
 * next to floors measured in the same run (bench/README.md explains how to read them).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, hostname, loadavg } from "node:os";
import { join } from "node:path";
import { prepareDatabase, startSim } from "../tools/harness/deskgate.ts";
import { startCluster } from "../tools/harness/pg.ts";
import { root, stopAll } from "../tools/harness/procs.ts";
import { startReceiver } from "../tools/harness/receiver.ts";
import { log } from "../tools/harness/time.ts";
import { acceptFigure } from "./figures/accept.ts";
import { drainFigure } from "./figures/drain.ts";
import { latencyFigure } from "./figures/latency.ts";
import { longJobsFigure } from "./figures/long-jobs.ts";
import { rateLimitFigure } from "./figures/rate-limit.ts";
import { scaleFigure } from "./figures/scale.ts";
import { type Ctx, FULL, QUICK } from "./lib/context.ts";
import { applyErrors } from "./lib/load.ts";
import { table } from "./lib/table.ts";

const quick = process.argv.includes("--quick");
const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .split(",");
const want = (name: string) => !only || only.includes(name);
const sizes = quick ? QUICK : FULL;
const JOB_PHASE_MS = 1;

const load = () => loadavg().map((v) => Math.round(v * 100) / 100);
const startedAt = new Date();
const loadBefore = load();
const cluster = await startCluster();
const receiver = await startReceiver();
const sim = await startSim(JOB_PHASE_MS);
const ctx: Ctx = {
  sizes,
  cluster,
  receiver,
  jobPhaseMs: JOB_PHASE_MS,
  deskgateDatabase: async (label) => {
    const url = await cluster.freshDatabase(label);
    await prepareDatabase(url);
    return url;
  },
};
const figures: Record<string, unknown> = {};
const loadDuring: Record<string, number[]> = {};
let exitCode = 0;
try {
  if (want("accept")) {
    figures.accept = await acceptFigure(ctx, sim.url);
    loadDuring.accept = load();
  }
  if (want("latency")) {
    const { latency, memory } = await latencyFigure(ctx, sim);
    figures.latency = latency;
    figures.memory = memory;
    loadDuring.latency = load();
  }
  let oneWorker = null;
  if (want("drain") || want("scale")) {
    const drain = await drainFigure(ctx, sim);
    figures.drain = drain.result;
    oneWorker = drain.oneWorker;
    loadDuring.drain = load();
  }
  if (want("ratelimit")) {
    figures.rate_limit = await rateLimitFigure(ctx, sim);
    loadDuring.ratelimit = load();
  }
  if (want("scale") && oneWorker) {
    figures.scale = await scaleFigure(ctx, sim, oneWorker, 1);
    loadDuring.scale = load();
  }
  if (want("longjobs")) {
    figures.long_jobs = await longJobsFigure(ctx);
    loadDuring.longjobs = load();
  }
} catch (error) {
  log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  exitCode = 1;
} finally {
  await stopAll();
  await receiver.close();
  await cluster.stop();
}

const result = {
  date: startedAt.toISOString(),
  host: hostname(),
  mode: quick ? "quick" : "full",
  node: process.version,
  cpus: cpus().length,
  cpu_model: cpus()[0]?.model,
  postgres: cluster.describe,
  sim_job_phase_ms: JOB_PHASE_MS,
  load_average: { before: loadBefore, after_each_figure: loadDuring, after: load() },
  duration_s: Math.round((Date.now() - startedAt.getTime()) / 1000),
  sizes,
  figures,
  refused_applies: Object.fromEntries(applyErrors),
};
process.stdout.write(`${table(result)}\n`);
const folder = quick ? join(root, "bench", "results", "quick") : join(root, "bench", "results");
mkdirSync(folder, { recursive: true });
// A partial run (--only) gets its own file, so it never overwrites the full run of that day.
const suffix = only ? `-${only.join("+")}` : "";
const file = join(folder, `${startedAt.toISOString().slice(0, 10)}-${hostname()}${suffix}.json`);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
log(`wrote ${file}`);
process.exit(exitCode);

/**
 * `pnpm drills [--only=name,name]`: fault drills against deskgate running as separate
 * processes on a real PostgreSQL with the simulator (drills/README.md). One line per drill on
 * stdout; details on stderr; exit 1 when any drill fails.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateWebhookSecret } from "@deskgate/webhooks";
import { startSim } from "../tools/harness/deskgate.ts";
import { startCluster } from "../tools/harness/pg.ts";
import { keepLogsIn, stopAll } from "../tools/harness/procs.ts";
import { startReceiver } from "../tools/harness/receiver.ts";
import { log, setLogTag } from "../tools/harness/time.ts";
import { fuzzDrill } from "./fuzz.ts";
import { kill9Drill } from "./kill9.ts";
import { collectCallbackPasswords, collectSimPasswords } from "./lib/checks.ts";
import { type Drill, type DrillCtx, type DrillResult, drillLine } from "./lib/context.ts";
import { pgRestartDrill } from "./pg-restart.ts";
import { rateLimitDrill } from "./rate-limit.ts";
import { receiverDownDrill } from "./receiver-down.ts";
import { scaleOutDrill } from "./scale-out.ts";
import { secretsDrill } from "./secrets.ts";
import { simFaultsDrill } from "./sim-faults.ts";
import { ssrfDrill } from "./ssrf.ts";

const DRILLS: Drill[] = [
  kill9Drill,
  pgRestartDrill,
  receiverDownDrill,
  simFaultsDrill,
  rateLimitDrill,
  fuzzDrill,
  ssrfDrill,
  scaleOutDrill,
  secretsDrill, // last: audits what the others left
];
/** The simulator's job phases: long enough that a kill lands in the middle of an apply. */
const SIM_JOB_PHASE_MS = 10;
/** No drill may take longer than this, whatever it waits for. */
const DRILL_LIMIT_MS = 240_000;

setLogTag("drills");
const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice("--only=".length)
  .split(",")
  .filter(Boolean);
const unknown = (only ?? []).filter((name) => !DRILLS.some((d) => d.name === name));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown drill(s): ${unknown.join(", ")}; known: ${DRILLS.map((d) => d.name).join(", ")}\n`,
  );
  process.exit(2);
}
const selected = DRILLS.filter((d) => !only || only.includes(d.name));

const startedAt = performance.now();
const logDir = mkdtempSync(join(tmpdir(), "deskgate-drills-"));
keepLogsIn(logDir);
const webhookSecret = generateWebhookSecret();
const cluster = await startCluster();
const ctx: DrillCtx = {
  cluster,
  sim: await startSim(SIM_JOB_PHASE_MS),
  receiver: await startReceiver({ secret: webhookSecret }),
  webhookSecret,
  logDir,
  secrets: new Set(),
  databases: [],
};

let cleaning: Promise<void> | null = null;
const cleanUp = (graceMs?: number) => {
  cleaning ??= (async () => {
    await stopAll(graceMs);
    await ctx.receiver.close();
    await cluster.stop();
  })();
  return cleaning;
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping every process`);
    void cleanUp(3_000).finally(() => process.exit(130));
  });
}

let failed = 0;
try {
  for (const drill of selected) {
    const started = performance.now();
    log(`${drill.name}: starting`);
    let result: DrillResult;
    try {
      const { exitCode, signalCode } = ctx.sim.proc.child;
      if (exitCode !== null || signalCode !== null) {
        // Not deskgate: something outside the run stopped the simulator (the drill that was
        // running failed for it). The next drills get a new one.
        log(`the simulator had exited (${signalCode ?? exitCode}); starting another`);
        ctx.sim = await startSim(SIM_JOB_PHASE_MS);
      }
      await ctx.sim.reset();
      await ctx.sim.faults({});
      ctx.receiver.reset();
      result = await withLimit(drill.run(ctx), DRILL_LIMIT_MS, drill.name);
    } catch (error) {
      result = {
        load: "-",
        figures: { lost: Number.NaN, duplicated: Number.NaN, orphaned: Number.NaN, "5xx": Number.NaN },
        problems: [`crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`],
      };
    }
    collectCallbackPasswords(ctx);
    await collectSimPasswords(ctx);
    if (result.problems.length > 0) {
      failed++;
      for (const p of result.problems) log(`${drill.name}: ${p}`);
    }
    process.stdout.write(`${drillLine(drill.name, result, (performance.now() - started) / 1000)}\n`);
  }
} finally {
  await cleanUp();
}
const total = Math.round((performance.now() - startedAt) / 1000);
log(`${selected.length - failed}/${selected.length} drills passed in ${total} s`);
if (failed === 0) rmSync(logDir, { recursive: true, force: true });
else log(`process logs kept in ${logDir}`);
process.exit(failed === 0 ? 0 : 1);

function withLimit<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

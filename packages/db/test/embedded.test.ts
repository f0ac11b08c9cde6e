import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
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
});

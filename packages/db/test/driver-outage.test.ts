import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../src/testing/index.ts";

let url: string;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ url, drop } = await createTestDatabase());
});
afterAll(async () => {
  await drop();
});

/**
 * postgres.js 3.4.9 deferred small writes with setImmediate and wrote to a socket that had
 * closed meanwhile: a TypeError thrown from the immediate killed the process (porsager/postgres
 * #1154, #1208). Found by `pnpm drills` (pg-restart): the worker died when PostgreSQL restarted.
 * deskgate patches the driver (patches/postgres@3.4.9.patch); the query must be rejected
 * instead. Run in a child process, so a regression is an exit code, not a dead test worker.
 */
const SCRIPT = `
import postgres from "postgres";
const url = process.argv[1];
const sql = postgres(url, { max: 2, onnotice: () => {} });
const admin = postgres(url, { max: 1, onnotice: () => {} });
const reserved = await sql.reserve();
const [{ pid }] = await reserved\`select pg_backend_pid() as pid\`;
await admin\`select pg_terminate_backend(\${pid})\`;
await new Promise((r) => setTimeout(r, 300));
const outcome = await reserved\`select 1\`.then(() => "answered", (e) => "rejected " + (e.code ?? e.message));
reserved.release();
await sql.end({ timeout: 1 });
await admin.end();
console.log(outcome);
`;

describe("the PostgreSQL driver when its connection dies", () => {
  it("rejects the next query on a dead connection instead of crashing the process", () => {
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", SCRIPT, url], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.stderr).not.toContain("TypeError");
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe("rejected CONNECTION_CLOSED");
  });
});

describe("a pool whose database is down", () => {
  it("rejects every query within about a second, however many failed before", async () => {
    const { connect, reconnectDelaySec } = await import("../src/client.ts");
    const { freePort } = await import("../src/embedded.ts");
    expect([0, 1, 2, 5, 10, 50].map(reconnectDelaySec)).toEqual([0.05, 0.1, 0.2, 1, 1, 1]);
    // Nothing listens on this port: every connection attempt is refused at once.
    const database = connect(`postgres://postgres@127.0.0.1:${await freePort()}/none`, { max: 2 });
    try {
      for (let i = 0; i < 10; i++) {
        const started = performance.now();
        await expect(database.sql`select 1`).rejects.toThrow(/ECONNREFUSED/);
        // postgres.js's own backoff would make the 6th wait 3.6–7.3 s and later ones up to 20 s.
        expect(performance.now() - started).toBeLessThan(1_500);
      }
    } finally {
      await database.close();
    }
  });
});

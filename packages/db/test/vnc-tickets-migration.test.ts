import { randomBytes } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { MIGRATIONS_FOLDER, runMigrations } from "../src/index.ts";

/**
 * Migration 0014 on a database that holds VNC tasks of before (issue 17.2): the launch URLs,
 * with their one-time tickets, leave the stored results; everything else stays.
 */
const info = inject("deskgateTestDb");
const name = `${info.prefix}mig_${randomBytes(4).toString("hex")}`;
const url = info.serverUrlPattern.replace("__DB__", name);
let sql: postgres.Sql;
let before: string;
const task = (n: number) => `00000000-0000-4000-8000-0000000002${String(n).padStart(2, "0")}`;

beforeAll(async () => {
  const admin = postgres(info.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  before = await mkdtemp(join(tmpdir(), "dg-mig-"));
  await cp(MIGRATIONS_FOLDER, before, { recursive: true });
  const journalPath = join(before, "meta", "_journal.json");
  const journal = JSON.parse(await readFile(journalPath, "utf8")) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === "0014_vnc_tickets_at_rest");
  expect(at).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  await writeFile(journalPath, JSON.stringify(journal));
  sql = postgres(url, { max: 1, onnotice: () => {} });
  await migrate(drizzle(sql), { migrationsFolder: before });
});

afterAll(async () => {
  await sql.end();
  await rm(before, { recursive: true, force: true });
  const admin = postgres(info.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
});

describe("migration 0014 (VNC tickets at rest)", () => {
  it("removes launchUrl from stored open and list results, and nothing else", async () => {
    const url1 = "https://hpc.example/vnc?ticket=T1";
    await sql`insert into tasks (id, kind, state, request, result) values
      (${task(1)}, 'hpc.vnc_open', 'succeeded', '{"account":"a"}',
        ${JSON.stringify({ sessionId: "s1", hostname: "h1", launchUrl: url1 })}::jsonb),
      (${task(2)}, 'hpc.vnc_list', 'succeeded', '{"account":"a"}',
        ${JSON.stringify({
          sessions: [
            { sessionId: "s1", launchUrl: url1 },
            { sessionId: "s2", launchUrl: "x?ticket=T2" },
          ],
        })}::jsonb),
      (${task(3)}, 'hpc.vnc_list', 'succeeded', '{"account":"a"}', ${JSON.stringify({ sessions: [] })}::jsonb),
      (${task(4)}, 'hpc.vnc_open', 'failed', '{"account":"a"}', null),
      (${task(5)}, 'desktop.apply', 'succeeded', '{}', ${JSON.stringify({ username: "u", launchUrl: "kept" })}::jsonb)`;
    await runMigrations(url);
    const rows = await sql<{ id: string; result: unknown }[]>`select id, result from tasks order by id`;
    expect(Object.fromEntries(rows.map((r) => [r.id, r.result]))).toEqual({
      [task(1)]: { sessionId: "s1", hostname: "h1" },
      [task(2)]: { sessions: [{ sessionId: "s1" }, { sessionId: "s2" }] },
      [task(3)]: { sessions: [] },
      [task(4)]: null,
      [task(5)]: { username: "u", launchUrl: "kept" },
    });
  });
});

import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMigrations } from "../src/index.ts";
import { migratedBefore } from "./support/migrated-before.ts";

/**
 * Migration 0014 on a database that holds VNC tasks of before (issue 17.2): the launch URLs,
 * with their one-time tickets, leave the stored results; everything else stays.
 */
let sql: postgres.Sql;
let url: string;
let drop: () => Promise<void>;
const task = (n: number) => `00000000-0000-4000-8000-0000000002${String(n).padStart(2, "0")}`;

beforeAll(async () => {
  ({ sql, url, drop } = await migratedBefore("0014_vnc_tickets_at_rest"));
});
afterAll(async () => {
  await drop();
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

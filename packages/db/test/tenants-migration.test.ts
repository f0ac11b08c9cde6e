import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMigrations } from "../src/index.ts";
import { migratedBefore } from "./support/migrated-before.ts";

/**
 * Migration 0007 (tenants) on a database that already holds rows: it is applied to a database
 * migrated up to 0006 that has keys, tasks, users, desktops and HPC accounts, as an upgrade is.
 */
let sql: postgres.Sql;
let url: string;
let drop: () => Promise<void>;
const KEY_A = "00000000-0000-4000-8000-00000000000a";
const KEY_B = "00000000-0000-4000-8000-00000000000b";
const task = (n: number) => `00000000-0000-4000-8000-0000000001${String(n).padStart(2, "0")}`;

beforeAll(async () => {
  ({ sql, url, drop } = await migratedBefore("0007_tenants"));
});
afterAll(async () => {
  await drop();
});

describe("migration 0007 (tenants)", () => {
  it("gives today's rows to the key that created them and leaves found ones unassigned", async () => {
    await sql`insert into api_keys (id, name, key_hash, prefix, scopes) values
      (${KEY_A}, 'a', 'ha', 'dg_a', '{desktop,hpc}'), (${KEY_B}, 'b', 'hb', 'dg_b', '{desktop,hpc}')`;
    await sql`insert into tasks (id, kind, state, api_key_id, request) values
      (${task(1)}, 'desktop.apply', 'succeeded', ${KEY_A}, '{"username":"lab"}'),
      (${task(2)}, 'desktop.apply', 'succeeded', ${KEY_B}, '{"username":"art"}'),
      (${task(3)}, 'platform.reconcile', 'succeeded', null, '{}'),
      (${task(4)}, 'hpc.vnc_open', 'succeeded', ${KEY_A}, '{"account":"solo"}'),
      (${task(5)}, 'hpc.vnc_list', 'succeeded', ${KEY_A}, '{"account":"solo"}'),
      (${task(6)}, 'hpc.vnc_open', 'succeeded', ${KEY_A}, '{"account":"shared"}'),
      (${task(7)}, 'hpc.vnc_list', 'succeeded', ${KEY_B}, '{"account":"shared"}')`;
    await sql`insert into vdi_users (username, upstream_id, group_name, created_by_task) values
      ('lab_01', 'u1', 'lab', ${task(1)}), ('art_01', 'u2', 'art', ${task(2)}), ('found', 'u3', null, null)`;
    await sql`insert into desktops (desktop_uuid, desktop_name, username, os, status, created_by_task) values
      ('d1', 'LAB-1', 'lab_01', 'win10', 'active', ${task(1)}),
      ('d2', 'ART-1', 'art_01', 'win10', 'active', ${task(2)}),
      ('d3', 'OUT-1', 'lab_01', 'unknown', 'active', null)`;
    await sql`insert into hpc_accounts (name, platform_user, org_id) values
      ('solo', 'p1', 'o'), ('shared', 'p2', 'o'), ('unused', 'p3', 'o')`;

    await runMigrations(url);

    const tenantOf = async (table: string, idColumn: string) =>
      Object.fromEntries(
        (await sql.unsafe(`select ${idColumn} as id, tenant from ${table}`)).map((r) => [r.id, r.tenant]),
      );
    expect(await tenantOf("tasks", "id")).toMatchObject({
      [task(1)]: `key:${KEY_A}`,
      [task(2)]: `key:${KEY_B}`,
      [task(3)]: null,
    });
    expect(await tenantOf("vdi_users", "username")).toEqual({
      lab_01: `key:${KEY_A}`,
      art_01: `key:${KEY_B}`,
      found: null,
    });
    expect(await tenantOf("desktops", "desktop_uuid")).toEqual({
      d1: `key:${KEY_A}`,
      d2: `key:${KEY_B}`,
      d3: null,
    });
    expect(await tenantOf("hpc_accounts", "name")).toEqual({
      solo: `key:${KEY_A}`,
      shared: null,
      unused: null,
    });
    expect(await tenantOf("api_keys", "name")).toEqual({ a: null, b: null });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  allocateGroupNumber,
  connect,
  type Database,
  getOrCreateSetting,
  runMigrations,
} from "../src/index.ts";
import { createTestDatabase } from "../src/testing/index.ts";

let database: Database;
let drop: () => Promise<void>;
let url: string;

beforeAll(async () => {
  ({ url, drop } = await createTestDatabase());
  database = connect(url, { max: 20 });
});
afterAll(async () => {
  await database.close();
  await drop();
});

describe("group numbering", () => {
  it("hands out distinct consecutive numbers to concurrent callers", async () => {
    const numbers = await Promise.all(
      Array.from({ length: 40 }, () => allocateGroupNumber(database.db, "lab")),
    );
    expect(new Set(numbers).size).toBe(40);
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it("numbers groups independently", async () => {
    expect(await allocateGroupNumber(database.db, "other")).toBe(1);
  });
});

describe("migrations", () => {
  it("are idempotent and safe when several processes apply them at once", async () => {
    await Promise.all([runMigrations(url), runMigrations(url), runMigrations(url)]);
    const rows = await database.sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
    expect(rows[0]!.n).toBeGreaterThan(0);
  });
});

describe("settings", () => {
  it("keeps the first value when several processes create a setting at once", async () => {
    const values = await Promise.all(
      Array.from({ length: 10 }, (_, i) => getOrCreateSetting(database.db, "k", () => `v${i}`)),
    );
    expect(new Set(values).size).toBe(1);
  });
});

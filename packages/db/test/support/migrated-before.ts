import { randomBytes } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { inject } from "vitest";
import { MIGRATIONS_FOLDER } from "../../src/index.ts";

/**
 * A fresh database migrated up to, not including, the migration `tag`: rows written to it are
 * what an upgrade finds when `runMigrations(url)` then applies `tag` and the rest.
 */
export async function migratedBefore(tag: string) {
  const info = inject("deskgateTestDb");
  const name = `${info.prefix}mig_${randomBytes(4).toString("hex")}`;
  const url = info.serverUrlPattern.replace("__DB__", name);
  const admin = async (statement: string) => {
    const server = postgres(info.adminUrl, { max: 1, onnotice: () => {} });
    try {
      await server.unsafe(statement);
    } finally {
      await server.end();
    }
  };
  await admin(`create database ${name}`);
  const folder = await mkdtemp(join(tmpdir(), "dg-mig-"));
  await cp(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, "meta", "_journal.json");
  const journal = JSON.parse(await readFile(journalPath, "utf8")) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === tag);
  if (at <= 0) throw new Error(`no migration ${tag} after the first`);
  journal.entries = journal.entries.slice(0, at);
  await writeFile(journalPath, JSON.stringify(journal));
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await migrate(drizzle(sql), { migrationsFolder: folder });
  return {
    url,
    sql,
    async drop() {
      await sql.end();
      await rm(folder, { recursive: true, force: true });
      await admin(`drop database if exists ${name} with (force)`);
    },
  };
}

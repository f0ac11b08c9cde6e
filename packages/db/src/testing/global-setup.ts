import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { runMigrations } from "../migrate.ts";
import { createBoss, ensureQueues } from "../queue.ts";
import type { TestDbInfo } from "./index.ts";
import { acquireTestServer } from "./server.ts";

/**
 * Vitest global setup: one PostgreSQL server per run and one migrated template database
 * (deskgate tables + pg-boss schema and queues). Each test file clones the template, which
 * takes milliseconds, so files run in parallel on databases of their own.
 */
export default async function setup(project: TestProject) {
  const server = await acquireTestServer(process.env);
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  const template = `dg_tpl_${runId}`;
  const admin = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${template}`);
  const templateUrl = server.databaseUrl(template);
  await runMigrations(templateUrl);
  const boss = createBoss(templateUrl, { supervise: false });
  boss.on("error", () => {});
  await boss.start();
  await ensureQueues(boss);
  await boss.stop({ graceful: false });
  const info: TestDbInfo = {
    adminUrl: server.adminUrl,
    template,
    prefix: `dg_t_${runId}_`,
    serverUrlPattern: server.databaseUrl("__DB__"),
  };
  project.provide("deskgateTestDb", info);
  console.log(`[deskgate tests] PostgreSQL from ${server.source}`);
  return async () => {
    const rows = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like ${`dg_%${runId}%`}`;
    for (const { datname } of rows) await admin.unsafe(`drop database if exists ${datname} with (force)`);
    await admin.end();
    await server.stop();
  };
}

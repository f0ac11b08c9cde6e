import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { inject } from "vitest";

export { acquireTestServer, type TestServer } from "./server.ts";

/** What the global setup hands each test file: where to clone its database from. */
export interface TestDbInfo {
  adminUrl: string;
  template: string;
  prefix: string;
  serverUrlPattern: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    deskgateTestDb: TestDbInfo;
  }
}

/**
 * A fresh, migrated database for one test file, cloned from the run's template.
 * Returns its URL and a function that drops it.
 */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const info = inject("deskgateTestDb");
  const name = `${info.prefix}${randomBytes(4).toString("hex")}`;
  const admin = postgres(info.adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name} template ${info.template}`);
  } finally {
    await admin.end();
  }
  return {
    url: info.serverUrlPattern.replace("__DB__", name),
    drop: async () => {
      const a = postgres(info.adminUrl, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}

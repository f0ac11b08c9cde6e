import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema/index.ts";

export type Schema = typeof schema;
export type Db = PostgresJsDatabase<Schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Either the pool or an open transaction: query functions accept both. */
export type Executor = Db | Tx;

export interface Database {
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

/**
 * Seconds a pool connection waits before it reconnects after a failed connection, given how
 * many failed in a row. postgres.js's default grows to 20 s (3^n / 100), and queries wait
 * that long without any timeout: after a PostgreSQL restart the api hung for 16 s instead of
 * answering 503, and came back 10 s after the database did (found by `pnpm drills`,
 * pg-restart). Capped at 1 s: a query made while the database is down fails within ~1 s.
 */
export function reconnectDelaySec(failures: number): number {
  return Math.min(0.05 * 2 ** failures, 1);
}

export function connect(url: string, opts: { max?: number; applicationName?: string } = {}): Database {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    backoff: reconnectDelaySec,
    onnotice: () => {},
    connection: { application_name: opts.applicationName ?? "deskgate" },
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

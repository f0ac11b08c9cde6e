import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { connect, type Database } from "@deskgate/db";
import { createSecretBox, type SecretBox } from "@deskgate/runtime";
import type { Output } from "./output.ts";

export interface CliContext {
  database: Database;
  databaseUrl: string;
  /** Only when an encryption key is known (needed to store HPC credentials). */
  box: SecretBox | null;
  out: Output;
}

/**
 * Where the CLI finds deskgate: DATABASE_URL / DESKGATE_ENCRYPTION_KEY when set, else the
 * running dev stack's files in `.data/` (written by `./dg start`).
 */
export function resolveTarget(
  env: NodeJS.ProcessEnv,
  dataDir: string,
): { databaseUrl: string; encryptionKey?: string } {
  const runtime = readJson(join(dataDir, "dev-runtime.json")) as { databaseUrl?: string } | null;
  const secrets = readJson(join(dataDir, "dev-secrets.json")) as { encryptionKey?: string } | null;
  const databaseUrl = env.DATABASE_URL || runtime?.databaseUrl;
  if (!databaseUrl) {
    throw new Error("DATABASE_URL is not set and no dev stack is running (start one with ./dg start)");
  }
  return { databaseUrl, encryptionKey: env.DESKGATE_ENCRYPTION_KEY || secrets?.encryptionKey };
}

export function openContext(
  target: { databaseUrl: string; encryptionKey?: string },
  out: Output,
): CliContext {
  return {
    database: connect(target.databaseUrl, { max: 2, applicationName: "deskgate-cli" }),
    databaseUrl: target.databaseUrl,
    box: target.encryptionKey ? createSecretBox(Buffer.from(target.encryptionKey, "base64")) : null,
    out,
  };
}

function readJson(file: string): unknown {
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null;
}

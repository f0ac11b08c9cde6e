import { existsSync, readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { type AuditEntry, connect, type Database, recordAudit } from "@deskgate/db";
import { createSecretBox, type SecretBox } from "@deskgate/runtime";
import type { Output } from "./output.ts";

export interface CliContext {
  database: Database;
  databaseUrl: string;
  /** Only when an encryption key is known (needed to store HPC credentials). */
  box: SecretBox | null;
  out: Output;
  /** Record an operator action in the audit trail, as `cli:<os user>`. */
  audit(action: string, target: string, outcome: AuditEntry["outcome"], detail?: string): Promise<void>;
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
  const database = connect(target.databaseUrl, { max: 2, applicationName: "deskgate-cli" });
  const actor = `cli:${cliUser()}`;
  return {
    database,
    databaseUrl: target.databaseUrl,
    box: target.encryptionKey ? createSecretBox(Buffer.from(target.encryptionKey, "base64")) : null,
    out,
    audit: (action, target, outcome, detail) =>
      recordAudit(database.db, { actor, action, target, outcome, detail }),
  };
}

function readJson(file: string): unknown {
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null;
}

/** Who runs the CLI: the OS user (SUDO_USER when run through sudo). */
function cliUser(): string {
  if (process.env.SUDO_USER) return process.env.SUDO_USER;
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

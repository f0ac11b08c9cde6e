import type { Database, PgBoss } from "@deskgate/db";
import type { Logger, SecretBox } from "@deskgate/runtime";
import type { DesktopPlatform } from "@deskgate/upstream";
import type { Deliverer } from "@deskgate/webhooks";

/** Everything a job handler may use, injected at main.ts (tests pass their own). */
export interface WorkerDeps {
  database: Database;
  boss: PgBoss;
  platform: DesktopPlatform;
  deliverer: Deliverer;
  box: SecretBox;
  logger: Logger;
  /** Active Standard Webhooks secrets, newest first (several during rotation). */
  webhookSecrets(): Promise<string[]>;
  settings: {
    pollIntervalMs: number;
    jobTimeoutMs: number;
    concurrency: number;
  };
}

import type { Database, PgBoss } from "@deskgate/db";
import type { Logger } from "@deskgate/runtime";
import type { CallbackPolicy } from "@deskgate/webhooks";

/** What the api's services need, injected at main.ts (tests pass their own). */
export interface ApiDeps {
  database: Database;
  boss: PgBoss;
  logger: Logger;
  callbackPolicy: CallbackPolicy;
  /** os → platform image id; an os without one is refused at request time. */
  osImages: Partial<Record<string, string>>;
  bodyLimitBytes: number;
}

import { eq } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { settings } from "../schema/settings.ts";

/**
 * Get a shared setting, creating it from `make()` if absent. Safe under concurrency:
 * every process ends up with the value that won the insert.
 */
export async function getOrCreateSetting(db: Executor, key: string, make: () => string): Promise<string> {
  await db.insert(settings).values({ key, value: make() }).onConflictDoNothing();
  const [row] = await db.select().from(settings).where(eq(settings.key, key));
  return row!.value;
}

/**
 * The Standard Webhooks signing secret: DESKGATE_WEBHOOK_SECRET when configured, else a
 * dev secret generated once and kept in the database, sealed — shared by every process.
 */
export async function resolveWebhookSecret(
  db: Executor,
  box: { seal(v: string): string; open(v: string): string },
  configured: string | undefined,
  generate: () => string,
): Promise<string> {
  if (configured) return configured;
  const sealed = await getOrCreateSetting(db, "webhook_secret", () => box.seal(generate()));
  try {
    return box.open(sealed);
  } catch {
    throw new Error(
      "DESKGATE_ENCRYPTION_KEY is not the key this database's webhook secret was sealed with: " +
        "every api and worker of one deployment needs the same key (or set DESKGATE_WEBHOOK_SECRET)",
    );
  }
}

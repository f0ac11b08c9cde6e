export * from "./client.ts";
export { MIGRATIONS_FOLDER, runMigrations } from "./migrate.ts";
export * from "./queries/callbacks.ts";
export * from "./queries/platform.ts";
export * from "./queries/settings.ts";
export * from "./queries/tasks.ts";
export * from "./queue.ts";
export * as schema from "./schema/index.ts";

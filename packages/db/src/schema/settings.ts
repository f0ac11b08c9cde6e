import { pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** Process-wide settings that must be shared by every api and worker (values sealed when secret). */
export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

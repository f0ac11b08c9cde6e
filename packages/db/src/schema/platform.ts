import { index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * deskgate's mirror of the VDI platform: the users and desktops it made or found. The two
 * GET endpoints answer from here; the worker keeps it in step after every task.
 */
export const vdiUsers = pgTable("vdi_users", {
  username: text("username").primaryKey(),
  upstreamId: text("upstream_id").notNull(),
  groupName: text("group_name"),
  createdByTask: uuid("created_by_task"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const desktops = pgTable(
  "desktops",
  {
    desktopUuid: text("desktop_uuid").primaryKey(),
    desktopName: text("desktop_name").notNull(),
    username: text("username").notNull(),
    os: text("os").notNull(),
    productId: text("product_id"),
    status: text("status").notNull(),
    createdByTask: uuid("created_by_task"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("desktops_username_idx").on(t.username)],
);

/** Per group, the last `<group>_NN` number handed out. Allocation is one atomic UPSERT. */
export const userGroups = pgTable("user_groups", {
  groupName: text("group_name").primaryKey(),
  lastNumber: integer("last_number").notNull().default(0),
});

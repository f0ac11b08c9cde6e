import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";

/**
 * deskgate's mirror of the VDI platform: the users and desktops it made or found. The two
 * GET endpoints answer from here; the worker keeps it in step after every task.
 */
export const vdiUsers = pgTable("vdi_users", {
  username: text("username").primaryKey(),
  upstreamId: text("upstream_id").notNull(),
  groupName: text("group_name"),
  /** The owning tenant (that of the task that made it); null = found on the platform, admin only. */
  tenant: text("tenant"),
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
    /** The owning tenant (its user's when deskgate made it); null = found on the platform, admin only. */
    tenant: text("tenant"),
    os: text("os").notNull(),
    productId: text("product_id"),
    sid: text("sid"),
    cpu: integer("cpu"),
    memoryBytes: bigint("memory_bytes", { mode: "number" }),
    status: text("status").notNull(),
    /** USB redirection and data transfer: both off on a new desktop (the seed's 默认禁止). */
    usbEnable: boolean("usb_enable").notNull().default(false),
    dataAccess: boolean("data_access").notNull().default(false),
    /** The approval metadata of the apply that made it (issue 14). */
    ticketId: text("ticket_id"),
    requester: text("requester"),
    /** The lease's end set by the apply's `expires_at` (null: no lease). */
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true }),
    /**
     * How far the lease sweep got with the current lease (docs/design.md "Leases"): null →
     * nothing yet, `notified` (lease.expiring sent), `expired` (lease.expire claimed), `deleting`
     * (lease.delete claimed; no extension any more). An extension sets it back to null.
     */
    leaseStage: text("lease_stage"),
    /** The lease's expiry locked the user (an extension unlocks them). */
    leaseUserLocked: boolean("lease_user_locked").notNull().default(false),
    /** The task that set the current lease (the apply or the last extension): whose callback URL, key and ticket its steps use. */
    leaseTaskId: uuid("lease_task_id"),
    createdByTask: uuid("created_by_task"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("desktops_username_idx").on(t.username),
    index("desktops_lease_idx").on(t.leaseExpiresAt).where(sql`${t.leaseExpiresAt} is not null`),
  ],
);

/** Per group, the last `<group>_NN` number handed out. Allocation is one atomic UPSERT. */
export const userGroups = pgTable("user_groups", {
  groupName: text("group_name").primaryKey(),
  lastNumber: integer("last_number").notNull().default(0),
});

/** Data disks of desktops, sizes in bytes; `status` derived (SPEC 4). */
export const volumes = pgTable(
  "volumes",
  {
    volumeUuid: text("volume_uuid").primaryKey(),
    desktopUuid: text("desktop_uuid").notNull(),
    volumeName: text("volume_name").notNull(),
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
    status: text("status").notNull(),
    createdByTask: uuid("created_by_task"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("volumes_desktop_idx").on(t.desktopUuid)],
);

/** What the reconcile job found different between deskgate's mirror and the platform. */
export const drift = pgTable(
  "drift",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    objectKind: text("object_kind").notNull(),
    objectId: text("object_id").notNull(),
    change: text("change").notNull(),
    detail: jsonb("detail"),
    detectedAt: timestamp("detected_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("drift_detected_idx").on(t.detectedAt)],
);

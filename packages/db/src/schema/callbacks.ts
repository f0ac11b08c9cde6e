import { bigserial, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { tasks } from "./tasks.ts";

/**
 * One callback event per finished task. `body` is the exact JSON that is signed and sent,
 * except that a generated password is kept out of it: it lives only in `sealedPassword`
 * (AES-256-GCM) while the delivery is pending, and is wiped when delivered or given up.
 */
export const callbackDeliveries = pgTable(
  "callback_deliveries",
  {
    id: uuid("id").primaryKey(),
    taskId: uuid("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    webhookId: text("webhook_id").notNull().unique(),
    url: text("url").notNull(),
    body: text("body").notNull(),
    sealedPassword: text("sealed_password"),
    state: text("state").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    index("callback_deliveries_task_idx").on(t.taskId),
    index("callback_deliveries_state_idx").on(t.state),
  ],
);

/** Every attempt, written as `sending` before the POST so a crash leaves evidence. */
export const callbackAttempts = pgTable(
  "callback_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    deliveryId: uuid("delivery_id")
      .notNull()
      .references(() => callbackDeliveries.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    trigger: text("trigger").notNull(),
    outcome: text("outcome").notNull().default("sending"),
    httpStatus: integer("http_status"),
    errorClass: text("error_class"),
    latencyMs: integer("latency_ms"),
    responsePrefix: text("response_prefix"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
  },
  (t) => [index("callback_attempts_delivery_idx").on(t.deliveryId, t.attempt)],
);

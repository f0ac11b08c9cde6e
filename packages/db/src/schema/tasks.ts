import { sql } from "drizzle-orm";
import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * One row per accepted request that does work in the worker. `request` and `result` never
 * hold secrets; `progress` is the worker's resumable state (secrets in it are sealed with
 * AES-256-GCM and wiped when no longer needed).
 */
export const tasks = pgTable(
  "tasks",
  {
    id: uuid("id").primaryKey(),
    kind: text("kind").notNull(),
    state: text("state").notNull().default("queued"),
    apiKeyId: uuid("api_key_id"),
    callbackUrl: text("callback_url"),
    request: jsonb("request").notNull(),
    progress: jsonb("progress").notNull().default(sql`'{}'::jsonb`),
    result: jsonb("result"),
    error: text("error"),
    attempts: integer("attempts").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("tasks_state_created_idx").on(t.state, t.createdAt), index("tasks_kind_idx").on(t.kind)],
);

/** The steps a task took, in order: name, start, end, outcome, upstream request id. */
export const taskSteps = pgTable(
  "task_steps",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    taskId: uuid("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    outcome: text("outcome").notNull().default("running"),
    detail: text("detail"),
    upstreamRequestId: text("upstream_request_id"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
  },
  (t) => [index("task_steps_task_idx").on(t.taskId, t.id)],
);

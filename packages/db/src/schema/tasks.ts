import { sql } from "drizzle-orm";
import {
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
    /** The caller's tenant at intake: what the task creates belongs to it; its keys see the task. */
    tenant: text("tenant"),
    callbackUrl: text("callback_url"),
    /** Approval metadata from the request (issue 14): the workflow's ticket and who asked. */
    ticketId: text("ticket_id"),
    /** The X-Request-Id of the request that made it: on the worker's log lines and the callback's headers. */
    requestId: text("request_id"),
    requester: text("requester"),
    request: jsonb("request").notNull(),
    progress: jsonb("progress").notNull().default(sql`'{}'::jsonb`),
    result: jsonb("result"),
    error: text("error"),
    attempts: integer("attempts").notNull().default(0),
    /**
     * The token of the one job that may run the task now, set when the task parks to wait for
     * its platform (task_waits): a job carrying another token (an older run's, redelivered
     * after a crash) finds nothing to do. Null until the first park.
     */
    resumeToken: uuid("resume_token"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    index("tasks_state_created_idx").on(t.state, t.createdAt),
    index("tasks_kind_idx").on(t.kind),
    index("tasks_ticket_idx").on(t.ticketId).where(sql`${t.ticketId} is not null`),
  ],
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

/**
 * A running task parked while its platform works (a platform job, polled without holding a
 * worker slot): the wait watcher checks it when `next_check_at` comes, in one batched call for
 * every due wait, and resumes the task with a job carrying `resume_token`. The row stays
 * (`resumed`) until the task parks again or ends, so `since` carries the job's timeout across
 * re-parks of the same platform job.
 */
export const taskWaits = pgTable(
  "task_waits",
  {
    taskId: uuid("task_id")
      .primaryKey()
      .references(() => tasks.id, { onDelete: "cascade" }),
    /** The platform job waited for. */
    platformJobId: text("platform_job_id").notNull(),
    /** The first park on this platform job: the job timeout counts from here. */
    since: timestamp("since", { withTimezone: true }).notNull().defaultNow(),
    nextCheckAt: timestamp("next_check_at", { withTimezone: true }).notNull(),
    resumeToken: uuid("resume_token").notNull(),
    /** True once the watcher sent the resuming job. */
    resumed: boolean("resumed").notNull().default(false),
  },
  (t) => [index("task_waits_due_idx").on(t.nextCheckAt).where(sql`not ${t.resumed}`)],
);

/**
 * One task at a time changes a resource (`desktop:<uuid>`): the holder is a queued or running
 * task; a task that finds it held parks until the holder ends (issue 17.5: two concurrent
 * resource-updates made two data disks). Released in the transaction that ends the holder.
 */
export const resourceLocks = pgTable("resource_locks", {
  resource: text("resource").primaryKey(),
  taskId: uuid("task_id")
    .notNull()
    .references(() => tasks.id, { onDelete: "cascade" }),
  since: timestamp("since", { withTimezone: true }).notNull().defaultNow(),
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MIGRATIONS_FOLDER } from "@deskgate/db";
import { type Metrics, metricsAllowed } from "@deskgate/runtime";
import type { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";

/** How many migrations this build ships (the drizzle journal). */
const EXPECTED_MIGRATIONS = (
  JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8")) as { entries: unknown[] }
).entries.length;

/**
 * Unauthenticated probes: `/healthz` (the process is up), `/readyz` (the database answers
 * and has every migration of this build), and `/metrics` when metrics are on.
 */
export function registerHealth(
  app: Hono,
  deps: Pick<ApiDeps, "database" | "metrics" | "metricsToken">,
): void {
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const reason = await notReady(deps);
    return reason ? c.json({ status: "unavailable", reason }, 503) : c.json({ status: "ok" });
  });
  const { metrics } = deps;
  if (metrics) {
    app.get("/metrics", async (c) => {
      if (!metricsAllowed(deps.metricsToken, c.req.header("authorization"))) {
        return c.text("a metrics token is required\n", 401, { "WWW-Authenticate": 'Bearer realm="metrics"' });
      }
      await refreshQueueDepth(deps, metrics);
      return c.body(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType });
    });
  }
}

async function notReady(deps: Pick<ApiDeps, "database">): Promise<string | null> {
  let applied = 0;
  try {
    const [row] = await deps.database.sql<{ applied: number }[]>`
      select count(*)::int as applied from drizzle.__drizzle_migrations`;
    applied = row?.applied ?? 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 3F000/42P01: no drizzle schema or table — a database never migrated
    if (code !== "3F000" && code !== "42P01") {
      return `database unavailable: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  if (applied < EXPECTED_MIGRATIONS) {
    return `migrations pending: ${applied} of ${EXPECTED_MIGRATIONS} applied`;
  }
  return null;
}

/** The queue depth gauge, read from the `ops_queue_depth` view at scrape time. */
async function refreshQueueDepth(deps: Pick<ApiDeps, "database">, metrics: Metrics): Promise<void> {
  try {
    const rows = await deps.database.sql<{ queue: string; state: string; jobs: number }[]>`
      select queue, state, jobs from ops_queue_depth where state in ('created', 'retry', 'active')`;
    metrics.queueDepth.reset();
    for (const r of rows) metrics.queueDepth.set({ queue: r.queue, state: r.state }, r.jobs);
  } catch {
    // no view yet (no worker has started) or the database is down: the gauge stays as it was
  }
}

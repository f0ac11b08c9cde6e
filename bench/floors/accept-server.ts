/**
 * Floors (c) and (d) of the accept figure, as a process: `node accept-server.ts c|d`.
 * (c) bare Hono + zod + one autocommit INSERT; (d) the INSERT and a pg-boss `send` in one
 * transaction (the naive shape). Env: DATABASE_URL, PORT.
 */
import { randomUUID } from "node:crypto";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import postgres from "postgres";
import { z } from "zod";
import { ensureTable, QUEUE, startBoss, txAdapter } from "./common.ts";

const mode = process.argv[2] === "d" ? "d" : "c";
const url = process.env.DATABASE_URL!;
const sql = postgres(url, { max: 10, onnotice: () => {} });
await ensureTable(sql);
const boss = mode === "d" ? await startBoss(url, false) : null;

const Body = z.object({
  username: z
    .string()
    .min(1)
    .max(32)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  os: z.enum(["win7", "win10", "kylin", "macos"]),
  callback_url: z.url(),
});

const app = new Hono();
app.post("/api/desktop/apply", async (c) => {
  const parsed = Body.safeParse(await c.req.json().catch(() => null));
  if (!parsed.success) return c.json({ data: {}, message: parsed.error.message, status: "-1" }, 400);
  const id = randomUUID();
  const request = parsed.data;
  if (boss) {
    await sql.begin(async (tx) => {
      await tx`insert into floor_tasks (id, request) values (${id}, ${tx.json(request)})`;
      await boss.send(QUEUE, { task_id: id, callback_url: request.callback_url }, { db: txAdapter(tx) });
    });
  } else {
    await sql`insert into floor_tasks (id, request) values (${id}, ${sql.json(request)})`;
  }
  return c.json({ data: { task_id: id }, message: "", status: "0" });
});

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: "127.0.0.1" }, (info) =>
  console.log(`floor ${mode} listening on ${info.port}`),
);
process.on("SIGTERM", () => {
  server.close();
  void Promise.all([sql.end(), boss?.stop({ graceful: false })]).finally(() => process.exit(0));
});

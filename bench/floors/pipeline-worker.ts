/**
 * The no-op pipeline's worker (floor of the latency figure): pg-boss with LISTEN/NOTIFY in its
 * best shape; per job one upstream POST, one UPDATE, one callback POST (undici).
 * Env: DATABASE_URL, UPSTREAM_URL.
 */
import postgres from "postgres";
import { Agent, request } from "undici";
import { QUEUE, startBoss, workOptions } from "./common.ts";

const url = process.env.DATABASE_URL!;
const upstream = process.env.UPSTREAM_URL!;
const sql = postgres(url, { max: 10, onnotice: () => {} });
const agent = new Agent({ connections: 50 });
const boss = await startBoss(url, true);

async function post(target: string, body: unknown) {
  const res = await request(target, {
    method: "POST",
    dispatcher: agent,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  await res.body.dump();
  if (res.statusCode >= 300) throw new Error(`${target}: ${res.statusCode}`);
}

await boss.work<{ task_id: string; callback_url: string }>(QUEUE, workOptions(), async (jobs) => {
  await Promise.all(
    jobs.map(async ({ data }) => {
      await post(`${upstream}/upstream`, { task_id: data.task_id });
      await sql`update floor_tasks set state = 'succeeded' where id = ${data.task_id}`;
      await post(data.callback_url, { data: { task_id: data.task_id }, message: "", status: "0" });
    }),
  );
});
console.log("floor worker ready");
process.on("SIGTERM", () => {
  void Promise.all([boss.stop({ graceful: false }), sql.end(), agent.close()]).finally(() => process.exit(0));
});

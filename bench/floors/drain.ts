/**
 * Raw pg-boss draining no-op jobs in its best measured shape (PERF.md): LISTEN/NOTIFY,
 * batchSize 20, burstWhenBatchFull, the batch run with Promise.all.
 * `node drain.ts fill N` inserts N jobs and exits; `node drain.ts work N` drains until
 * N jobs completed (or 300 s), then prints `result {"jobs":…,"ms":…}` (first fetch → last
 * completion) and exits. Env: DATABASE_URL.
 */
import { QUEUE, startBoss, workOptions } from "./common.ts";

const [mode, countArg] = process.argv.slice(2);
const total = Number(countArg);
const boss = await startBoss(process.env.DATABASE_URL!, mode === "work");

if (mode === "fill") {
  for (let i = 0; i < total; i += 1000) {
    const n = Math.min(1000, total - i);
    await boss.insert(
      QUEUE,
      Array.from({ length: n }, (_, k) => ({ data: { n: i + k } })),
    );
  }
  await boss.stop({ graceful: false });
  console.log(`filled ${total}`);
  process.exit(0);
}

let done = 0;
let first = 0;
let last = 0;
const finished = Promise.withResolvers<void>();
const limit = setTimeout(() => finished.resolve(), 300_000);
await boss.work(QUEUE, workOptions(), async (jobs) => {
  if (!first) first = performance.now();
  await Promise.all(jobs.map(async () => {}));
  done += jobs.length;
  last = performance.now();
  if (done >= total) finished.resolve();
});
console.log("floor drain ready");
await finished.promise;
clearTimeout(limit);
// the last batch's completion is written after the handler returns: give it a moment
await new Promise((r) => setTimeout(r, 200));
console.log(`result ${JSON.stringify({ jobs: done, ms: last - first })}`);
await boss.stop({ graceful: true, timeout: 5000 });
process.exit(0);

import type { Receiver } from "../../tools/harness/receiver.ts";
import { sleep } from "../../tools/harness/time.ts";
import type { Sent } from "./load.ts";

/** Wait (bounded) until every acknowledged task's callback arrived; returns latencies and failures. */
export async function collect(receiver: Receiver, sent: Sent[], timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline && sent.some((s) => !receiver.arrivals.has(s.taskId))) await sleep(50);
  const latencies: number[] = [];
  let failed = 0;
  let missing = 0;
  let last = 0;
  const failures = new Map<string, number>();
  for (const s of sent) {
    const a = receiver.arrivals.get(s.taskId);
    if (!a) {
      missing++;
      continue;
    }
    latencies.push(a.at - s.sentAt);
    last = Math.max(last, a.at);
    if (!a.ok) {
      failed++;
      failures.set(a.message, (failures.get(a.message) ?? 0) + 1);
    }
  }
  return { latencies, failed, missing, last, failures: Object.fromEntries(failures) };
}

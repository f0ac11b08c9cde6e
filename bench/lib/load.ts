import { Agent, request } from "undici";
import { authHeaders, uniqueGroup } from "../../tools/harness/deskgate.ts";
import { sleep } from "../../tools/harness/time.ts";

export function applyBody(callbackUrl: string): string {
  return JSON.stringify({ username: uniqueGroup(), os: "win10", callback_url: `${callbackUrl}/callbacks` });
}

export interface Sent {
  taskId: string;
  sentAt: number;
}

const agent = new Agent({ connections: 100 });

/** The first few distinct errors of refused applies, for the results file. */
export const applyErrors = new Map<string, number>();
function noteError(error: unknown) {
  const key = (error instanceof Error ? error.message : String(error)).slice(0, 160);
  if (applyErrors.size < 10 || applyErrors.has(key)) applyErrors.set(key, (applyErrors.get(key) ?? 0) + 1);
}

/** One apply; returns the task id (or throws on a non-2xx answer). */
export async function applyOnce(apiUrl: string, callbackUrl: string): Promise<Sent> {
  const sentAt = performance.now();
  const res = await request(`${apiUrl}/api/desktop/apply`, {
    method: "POST",
    dispatcher: agent,
    headers: { ...authHeaders(), "idempotency-key": crypto.randomUUID() },
    body: applyBody(callbackUrl),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`apply: ${res.statusCode} ${text.slice(0, 200)}`);
  const taskId = (JSON.parse(text) as { data: { task_id: string } }).data.task_id;
  return { taskId, sentAt };
}

/**
 * Open-loop load: `rate` applies a second for `seconds` (paced on a 5 ms tick, never more
 * than 2000 in flight). Returns what was acknowledged and how many failed.
 */
export async function steadyLoad(
  apiUrl: string,
  callbackUrl: string,
  rate: number,
  seconds: number,
): Promise<{ sent: Sent[]; failed: number }> {
  const sent: Sent[] = [];
  let failed = 0;
  let issued = 0;
  let inFlight = 0;
  const total = Math.round(rate * seconds);
  const start = performance.now();
  const pending: Promise<void>[] = [];
  while (issued < total && performance.now() - start < seconds * 1000 + 5000) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    while (issued < due && inFlight < 2000) {
      issued++;
      inFlight++;
      pending.push(
        applyOnce(apiUrl, callbackUrl).then(
          (s) => {
            sent.push(s);
            inFlight--;
          },
          (error) => {
            noteError(error);
            failed++;
            inFlight--;
          },
        ),
      );
    }
    await sleep(5);
  }
  await Promise.all(pending);
  return { sent, failed };
}

/** `count` applies as fast as `concurrency` connections allow (bounded by count). */
export async function burst(
  apiUrl: string,
  callbackUrl: string,
  count: number,
  concurrency: number,
): Promise<{ sent: Sent[]; failed: number; ms: number }> {
  const sent: Sent[] = [];
  let failed = 0;
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        try {
          sent.push(await applyOnce(apiUrl, callbackUrl));
        } catch (error) {
          noteError(error);
          failed++;
        }
      }
    }),
  );
  return { sent, failed, ms: performance.now() - start };
}

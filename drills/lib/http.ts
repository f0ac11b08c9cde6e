import { Agent, request } from "undici";
import { authHeaders, uniqueGroup } from "../../tools/harness/deskgate.ts";

const agent = new Agent({ connections: 64, headersTimeout: 30_000, bodyTimeout: 30_000 });

export interface Answer {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: answers are read loosely and checked by the drills
  json: any;
  ms: number;
  headers: Record<string, string | string[] | undefined>;
}

/** Counts every answer by class; a request with no answer within 30 s counts as `hung`. */
export class Tally {
  answers = 0;
  byStatus = new Map<number, number>();
  fiveXx = 0;
  hung = 0;
  errors = 0;
  notEnvelope = 0;
  samples: string[] = [];

  note(problem: string) {
    if (this.samples.length < 5) this.samples.push(problem.slice(0, 300));
  }
}

/**
 * One call to the api, bounded (30 s for headers and body). Never throws: a transport error
 * answers status 0. Every answer is checked to be deskgate's envelope.
 */
export async function call(
  tally: Tally,
  base: string,
  method: string,
  path: string,
  opts: { body?: string | unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const started = performance.now();
  const body =
    opts.body === undefined || typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
  try {
    const res = await request(`${base}${path}`, {
      method: method as "GET",
      dispatcher: agent,
      headers: opts.headers ?? authHeaders(),
      body,
    });
    const text = await res.body.text();
    const ms = performance.now() - started;
    tally.answers++;
    tally.byStatus.set(res.statusCode, (tally.byStatus.get(res.statusCode) ?? 0) + 1);
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // checked below
    }
    if (res.statusCode >= 500) tally.fiveXx++;
    if (!isEnvelope(method, json)) {
      tally.notEnvelope++;
      tally.note(`${method} ${path} → ${res.statusCode} not an envelope: ${text}`);
    }
    return { status: res.statusCode, text, json, ms, headers: res.headers };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (/timeout/i.test(message)) tally.hung++;
    else tally.errors++;
    tally.note(`${method} ${path} → ${message}`);
    return { status: 0, text: message, json: null, ms: performance.now() - started, headers: {} };
  }
}

/**
 * deskgate's envelope: exactly `data`, `message`, `status`; `status` a string "0"/"-1" on
 * POST/PUT/DELETE and a number 0/-1 on GET (docs/api.md).
 */
export function isEnvelope(method: string, json: unknown): boolean {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return false;
  const keys = Object.keys(json).sort().join(",");
  if (keys !== "data,message,status") return false;
  const { message, status, data } = json as { message: unknown; status: unknown; data: unknown };
  if (typeof message !== "string" || data === undefined) return false;
  const wanted = method === "GET" ? [0, -1] : ["0", "-1"];
  return wanted.includes(status as never);
}

/** An apply body: a fresh group (so a fresh `<group>_01`), win10, callbacks to `callbackUrl`. */
export function applyBody(callbackUrl: string, username = uniqueGroup()) {
  return { username, os: "win10", callback_url: callbackUrl };
}

/** Run `count` jobs through `concurrency` lanes; each lane takes the next index. */
export async function lanes(count: number, concurrency: number, job: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

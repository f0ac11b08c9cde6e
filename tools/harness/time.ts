/** Bounded waiting: every loop in the harness has a deadline. */

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 20,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await check()) return;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

let tag = "bench";

/** The word in front of every log line ("bench", "drills"). */
export function setLogTag(name: string): void {
  tag = name;
}

export function log(line: string): void {
  process.stderr.write(`[${tag} ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

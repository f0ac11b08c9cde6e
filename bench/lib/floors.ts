import { freePort } from "@deskgate/db/embedded";
import { type Proc, startNode, waitForHttp, waitForLine } from "../../tools/harness/procs.ts";

export async function freePortUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

const base = () => ({ PATH: process.env.PATH, HOME: process.env.HOME });

export async function startFloorServer(mode: "c" | "d", databaseUrl: string, url: string) {
  const proc = startNode(
    `floor-${mode}`,
    "bench/floors/accept-server.ts",
    {
      ...base(),
      DATABASE_URL: databaseUrl,
      PORT: new URL(url).port,
    },
    [mode],
  );
  await waitForLine(proc, /listening/);
  await waitForHttp(url, proc);
  return { url, proc };
}

export async function startFloorWorker(databaseUrl: string, upstreamUrl: string): Promise<Proc> {
  const proc = startNode("floor-worker", "bench/floors/pipeline-worker.ts", {
    ...base(),
    DATABASE_URL: databaseUrl,
    UPSTREAM_URL: upstreamUrl,
  });
  await waitForLine(proc, /ready/);
  return proc;
}

/** Raw pg-boss drain of `jobs` no-op jobs; returns jobs/s measured inside the process. */
export async function floorDrain(
  databaseUrl: string,
  jobs: number,
): Promise<{ jobsPerSec: number; ms: number }> {
  const env = { ...base(), DATABASE_URL: databaseUrl };
  const fill = startNode("floor-fill", "bench/floors/drain.ts", env, ["fill", String(jobs)]);
  await waitForLine(fill, /filled/, 120_000);
  await fill.stop();
  const work = startNode("floor-drain", "bench/floors/drain.ts", env, ["work", String(jobs)]);
  const line = await waitForLine(work, /^result /, 310_000);
  await work.stop();
  const result = JSON.parse(line.slice("result ".length)) as { jobs: number; ms: number };
  return { jobsPerSec: Math.round((result.jobs / result.ms) * 1000), ms: Math.round(result.ms) };
}

/**
 * The fair drain floor (bench/floors/apply-drain.ts): `jobs` applies' upstream calls and
 * callbacks, no bookkeeping, against the same simulator with deskgate's settings.
 */
export async function fairApplyDrain(
  env: NodeJS.ProcessEnv,
  callbackUrl: string,
  jobs: number,
): Promise<{ jobsPerSec: number; ms: number }> {
  const withCallback = { ...env, CALLBACK_URL: callbackUrl };
  const fill = startNode("fair-fill", "bench/floors/apply-drain.ts", withCallback, ["fill", String(jobs)]);
  await waitForLine(fill, /filled/, 120_000);
  await fill.stop();
  const work = startNode("fair-drain", "bench/floors/apply-drain.ts", withCallback, ["work", String(jobs)]);
  const line = await waitForLine(work, /^result /, 610_000);
  await work.stop();
  const result = JSON.parse(line.slice("result ".length)) as { jobs: number; ms: number };
  return { jobsPerSec: Math.round(((result.jobs - 1) / result.ms) * 1000), ms: Math.round(result.ms) };
}

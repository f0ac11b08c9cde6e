import type { QueueName } from "@deskgate/contracts";
import type { Database, Job, PgBoss } from "@deskgate/db";
import type { Logger } from "@deskgate/runtime";

/** Queues that share one concurrency budget (e.g. every task queue, or the callbacks). */
export interface Lane {
  queues: readonly QueueName[];
  concurrency: number;
}

export interface DispatcherOptions {
  boss: PgBoss;
  /** Its pool holds the LISTEN connection for pg-boss's job NOTIFYs. */
  database: Database;
  logger: Logger;
  lanes: readonly Lane[];
  handle(queue: QueueName, job: Job<unknown>): Promise<void>;
  /** Fetch anyway this often when no NOTIFY came (retries and delayed jobs do not notify). */
  pollIntervalMs?: number;
  /** How often in-flight jobs refresh their heartbeat (below the queues' 10 s heartbeat). */
  heartbeatMs?: number;
}

export interface Dispatcher {
  /** Stop fetching, let running jobs finish (up to `timeoutMs`), then return. */
  stop(timeoutMs: number): Promise<void>;
  /** Jobs running now (for tests and metrics). */
  running(): number;
}

/** The most a single fetch asks for. */
const MAX_FETCH = 20;

/**
 * Runs jobs as soon as they are queued, each in its own slot. One fetch loop per queue asks
 * pg-boss for as many jobs as its lane has free slots (the slots are reserved before the
 * fetch, so loops sharing a lane never overshoot it); each job is completed or failed on its
 * own the moment it ends, and its slot goes straight to the next job. An idle loop sleeps
 * until pg-boss's NOTIFY for its queue (sent in the inserting transaction), a freed slot, or
 * the poll interval. A NOTIFY that arrives during a fetch is remembered, so none is lost.
 * Running jobs refresh their heartbeat, so a killed worker's jobs go back to the queue after
 * the queue's heartbeat (10 s) and the next supervise pass.
 *
 * This replaces pg-boss's `work()`, whose batch shape held a slot until the slowest job of
 * its batch ended and woke every slot on every NOTIFY (bench/README.md).
 */
export async function startDispatcher(opts: DispatcherOptions): Promise<Dispatcher> {
  const { boss, logger } = opts;
  const pollIntervalMs = opts.pollIntervalMs ?? 2000;
  const inFlight = new Map<QueueName, Set<Job<unknown>>>();
  for (const lane of opts.lanes) for (const q of lane.queues) inFlight.set(q, new Set());
  const settling = new Set<Promise<void>>();
  const wakers = new Map<QueueName, Signal>();
  let stopping = false;

  for (const lane of opts.lanes) for (const q of lane.queues) wakers.set(q, signal());
  const wakeAll = () => {
    for (const s of wakers.values()) s.fire();
  };
  const channel = await pgBossChannel(opts.database);
  const listening = await opts.database.sql
    .listen(channel, (queue) => wakers.get(queue as QueueName)?.fire(), wakeAll)
    .catch((error: unknown) => {
      logger.warn({ err: String(error) }, "no LISTEN for new jobs; polling only");
      return null;
    });

  const heartbeat = setInterval(() => {
    for (const [queue, jobs] of inFlight) {
      if (jobs.size === 0) continue;
      boss.touch(queue, [...jobs]).catch((error: unknown) => {
        logger.warn({ queue, err: String(error) }, "heartbeat failed");
      });
    }
  }, opts.heartbeatMs ?? 4000);
  heartbeat.unref();

  const run = async (queue: QueueName, job: Job<unknown>, lane: LaneState) => {
    const jobs = inFlight.get(queue)!;
    jobs.add(job);
    try {
      await opts.handle(queue, job);
      await boss.complete(queue, job);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.warn({ queue, job_id: job.id, err: message }, "job failed");
      await boss.fail(queue, job, { message }).catch((e: unknown) => {
        // the heartbeat lapses and pg-boss retries the job
        logger.warn({ queue, job_id: job.id, err: String(e) }, "could not record the job's failure");
      });
    } finally {
      jobs.delete(job);
      lane.release(1);
    }
  };

  const loop = async (queue: QueueName, lane: LaneState) => {
    const wake = wakers.get(queue)!;
    while (!stopping) {
      const want = await lane.reserve(MAX_FETCH);
      if (stopping) {
        lane.release(want);
        break;
      }
      wake.clear();
      let jobs: Job<unknown>[] = [];
      try {
        jobs = await boss.fetch(queue, { batchSize: want });
      } catch (error) {
        if (!stopping) logger.warn({ queue, err: String(error) }, "fetch failed");
      }
      lane.release(want - jobs.length);
      for (const job of jobs) {
        const p = run(queue, job, lane);
        settling.add(p);
        void p.finally(() => settling.delete(p));
      }
      if (jobs.length === 0) await wake.wait(pollIntervalMs);
    }
  };

  const lanes = opts.lanes.map((l) => laneState(l.concurrency));
  const loops = opts.lanes.flatMap((l, i) => l.queues.map((q) => loop(q, lanes[i]!)));

  return {
    running: () => settling.size,
    async stop(timeoutMs) {
      stopping = true;
      wakeAll();
      for (const lane of lanes) lane.abort();
      await Promise.all(loops);
      let timer: NodeJS.Timeout | undefined;
      const left = await Promise.race([
        Promise.all(settling).then(() => 0),
        new Promise<number>((r) => {
          timer = setTimeout(() => r(settling.size), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      clearInterval(heartbeat);
      if (left > 0) logger.warn({ jobs: left }, "stopping with jobs still running; pg-boss retries them");
      await listening?.unlisten().catch(() => {});
    },
  };
}

/** pg-boss's NOTIFY channel (its `plans.notifyChannelSql`, for the default `pgboss` schema). */
export async function pgBossChannel(database: Database): Promise<string> {
  const [row] = await database.sql<{ channel: string }[]>`
    select 'pgboss_' || left(encode(sha224('pgboss'::bytea), 'hex'), 24) as channel`;
  return row!.channel;
}

interface Signal {
  fire(): void;
  clear(): void;
  /** Resolves at the next `fire` (at once if one came since `clear`), or after `ms`. */
  wait(ms: number): Promise<void>;
}

function signal(): Signal {
  let fired = false;
  let waiters: (() => void)[] = [];
  return {
    fire() {
      fired = true;
      const w = waiters;
      waiters = [];
      for (const resolve of w) resolve();
    },
    clear() {
      fired = false;
    },
    wait(ms) {
      if (fired) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== done);
          resolve();
        }
        waiters.push(done);
      });
    },
  };
}

interface LaneState {
  /** Waits for at least one free slot, then takes up to `max` of the free ones. */
  reserve(max: number): Promise<number>;
  release(n: number): void;
  /** Wakes every waiter with 0 slots (stopping). */
  abort(): void;
}

function laneState(concurrency: number): LaneState {
  let free = concurrency;
  let aborted = false;
  const waiting: (() => void)[] = [];
  return {
    async reserve(max) {
      while (free === 0 && !aborted) await new Promise<void>((r) => waiting.push(r));
      if (aborted) return 0;
      const n = Math.min(free, max);
      free -= n;
      return n;
    },
    release(n) {
      if (n <= 0) return;
      free += n;
      for (const w of waiting.splice(0)) w();
    },
    abort() {
      aborted = true;
      for (const w of waiting.splice(0)) w();
    },
  };
}

import { log, waitUntil } from "../tools/harness/time.ts";
import {
  callbackFigures,
  countLost,
  snapshot,
  upstreamFigures,
  waitCallbacks,
  waitTerminal,
} from "./lib/checks.ts";
import { type Drill, expectations } from "./lib/context.ts";
import { applyBody, call, lanes, Tally } from "./lib/http.ts";
import { activeLeaseJobs, LEASE_FIGURES, leaseCounts, leaseFigures, startLeases } from "./lib/leases.ts";
import { madeBy, settleLifecycle, submitLifecycle } from "./lib/lifecycle.ts";
import { startStack } from "./lib/stack.ts";

const APPLIES = 200;
/** The worker is killed when this share of the callbacks has arrived, and replaced at once. */
const KILL_AT = [0.15, 0.4, 0.65];
/** Then lifecycle requests (power, rebuild, lock, delete, offboard in turn) on this many of the desktops. */
const LIFECYCLE = 100;
const LIFECYCLE_KILL_AT = [0.3, 0.6];
/**
 * Then leases on 40 more (every 4th extended when its lease.expire callback arrives): the
 * worker is killed while it holds a lease job (pg-boss `active`) once this share of the lease
 * tasks (~4 per desktop, 8 for an extended one) has ended.
 */
const LEASES = 40;
const LEASE_EXTEND_EVERY = 4;
const LEASE_KILL_AT = [0.1, 0.4, 0.7];

/**
 * Drill 1: `kill -9` of the worker, three times, in the middle of 200 applies; then twice more
 * in the middle of 100 lifecycle tasks (power, rebuild, lock, delete, offboard) on those desktops;
 * then three times more while 40 other desktops' leases run (desktop.lease, lease.expiring,
 * lease.expire, lease.delete; 10 extended after their expiry).
 */
export const kill9Drill: Drill = {
  name: "kill9",
  async run(ctx) {
    const stack = await startStack(ctx, "kill9");
    try {
      const before = await snapshot(ctx.sim);
      const tally = new Tally();
      const acked: string[] = [];
      const api = stack.apis[0]!.url;
      await lanes(APPLIES, 20, async () => {
        const answer = await call(tally, api, "POST", "/api/desktop/apply", {
          body: applyBody(`${ctx.receiver.url}/callbacks`),
        });
        if (answer.status === 200) acked.push(answer.json.data.task_id);
      });
      let kills = 0;
      for (const share of KILL_AT) {
        await waitUntil(
          `${share * 100} % of the callbacks`,
          () => ctx.receiver.arrivals.size >= share * APPLIES,
          120_000,
          20,
        );
        const victim = await stack.kill9Worker();
        kills++;
        log(`kill9: killed ${victim.name} at ${ctx.receiver.arrivals.size} callbacks`);
        await stack.addWorker();
      }
      const missing = await waitCallbacks(ctx.receiver, acked, 120_000, stack);
      const rows = await waitTerminal(stack.sql, acked, 10_000, stack);
      const upstream = await upstreamFigures(ctx, before, stack.sql);
      const callbacks = callbackFigures(ctx.receiver, new Set(acked));

      // phase 2: lifecycle tasks on the desktops just made, with two more kills
      const lifeTally = new Tally();
      const targets = madeBy(rows).slice(0, LIFECYCLE);
      const lifeAcked = await submitLifecycle(stack, lifeTally, targets, `${ctx.receiver.url}/callbacks`);
      const lifeIds = lifeAcked.map((t) => t.id);
      for (const share of LIFECYCLE_KILL_AT) {
        await waitUntil(
          `${share * 100} % of the lifecycle callbacks`,
          () => lifeIds.filter((id) => ctx.receiver.arrivals.has(id)).length >= share * lifeIds.length,
          120_000,
          20,
        );
        const victim = await stack.kill9Worker();
        kills++;
        log(`kill9: killed ${victim.name} during the lifecycle tasks`);
        await stack.addWorker();
      }
      const life = await settleLifecycle(ctx, stack, stack.sql, lifeAcked, 120_000);

      // phase 3: leases on other desktops run to their end (the drill sweeps every 500 ms), three more kills
      const leaseTally = new Tally();
      const leaseTargets = madeBy(rows).slice(LIFECYCLE, LIFECYCLE + LEASES);
      const expected = leaseTargets.length * 4 + Math.floor(leaseTargets.length / LEASE_EXTEND_EVERY) * 4;
      const leaseKills = (async () => {
        for (const share of LEASE_KILL_AT) {
          // bounded: a kill that found fewer tasks than estimated (e.g. a refused extension) still lands
          await waitUntil(
            `${share * 100} % of the lease tasks`,
            async () => (await leaseCounts(stack.sql)).terminal >= share * expected,
            60_000,
            100,
          ).catch(() => log(`kill9: ${share * 100} % of the lease tasks never ended; killing anyway`));
          const holding = await waitUntil(
            "a worker holding a lease job",
            async () => (await activeLeaseJobs(stack.sql)) > 0,
            20_000,
            10,
          )
            .then(() => true)
            .catch(() => false);
          const victim = await stack.kill9Worker();
          kills++;
          log(`kill9: killed ${victim.name} ${holding ? "holding a lease job" : "(no lease job active)"}`);
          await stack.addWorker();
        }
      })();
      leaseKills.catch(() => {}); // awaited below
      const leases = await startLeases(ctx, stack, leaseTally, leaseTargets, {
        name: "kill9",
        extendEvery: LEASE_EXTEND_EVERY,
        spreadMs: 150,
      });
      await leaseKills.catch(async (error) => {
        await leases.stop();
        throw error;
      });
      const lease = await leases.settle(90_000);

      const failedTasks = [...rows, ...life.rows].filter((r) => r.state !== "succeeded");
      const resumed = rows.filter((r) => r.attempts > 1).length;
      const lifeResumed = life.rows.filter((r) => r.attempts > 1).length;
      const figures = {
        lost: countLost(acked, rows, ctx.receiver) + life.figures.lost + lease.figures.lost,
        duplicated:
          upstream.duplicated + callbacks.duplicated + life.figures.duplicated + lease.figures.duplicated,
        orphaned: upstream.orphaned + life.figures.orphaned + lease.figures.orphaned,
        "5xx": tally.fiveXx + lifeTally.fiveXx + leaseTally.fiveXx,
        kills,
        resumed,
        lifecycle_tasks: lifeAcked.length,
        lifecycle_resumed: lifeResumed,
        ...leaseFigures(lease.figures, [...LEASE_FIGURES, "resumed", "deleted"]),
        failed: failedTasks.length + lease.failed.length,
        redelivered: callbacks.redelivered + lease.redelivered,
      };
      const { problems, expect } = expectations();
      expect(acked.length === APPLIES, `${acked.length}/${APPLIES} applies acknowledged: ${tally.samples}`);
      expect(missing === 0, `${missing} callbacks missing`);
      expect(figures.lost === 0, `${figures.lost} tasks lost`);
      expect(figures.duplicated === 0, `${figures.duplicated} duplicates`);
      expect(
        lifeAcked.length === targets.length && targets.length === LIFECYCLE,
        `${lifeAcked.length}/${LIFECYCLE} lifecycle requests acknowledged: ${lifeTally.samples}`,
      );
      expect(life.missing === 0, `${life.missing} lifecycle callbacks missing`);
      expect(
        figures.orphaned === 0,
        `orphans: ${[...upstream.orphans, ...life.orphans, ...lease.orphans].slice(0, 5).join(", ")}`,
      );
      expect(figures["5xx"] === 0, `${figures["5xx"]} answers 5xx`);
      expect(
        leaseTargets.length === LEASES && leases.setters().length >= LEASES,
        `${leases.setters().length}/${LEASES} lease requests acknowledged: ${leaseTally.samples}`,
      );
      expect(
        lease.figures.deleted === LEASES,
        `${lease.figures.deleted}/${LEASES} leased desktops deleted by their lease`,
      );
      expect(
        lease.figures.resumed > 0,
        "no lease task was resumed after a kill: the kills missed the leases",
      );
      for (const problem of lease.problems.slice(0, 10)) expect(false, `lease: ${problem}`);
      for (const f of lease.failed.slice(0, 3))
        expect(false, `lease task ${f.kind} ${f.id} failed: ${f.error}`);
      expect(
        failedTasks.length === 0,
        `${failedTasks.length} tasks failed: ${failedTasks
          .slice(0, 3)
          .map((t) => t.error)
          .join(" | ")}`,
      );
      expect(resumed > 0, "no task was resumed after a kill: the kills missed the work");
      const unverified = callbacks.unverified + life.unverified + lease.unverified;
      expect(unverified === 0, `${unverified} callbacks failed signature verification`);
      return {
        load: `${APPLIES} applies + ${LIFECYCLE} lifecycle tasks (power, rebuild, lock, delete, offboard) + ${LEASES} leases (${Math.floor(LEASES / LEASE_EXTEND_EVERY)} extended), ${kills} × kill -9`,
        figures,
        problems,
      };
    } finally {
      await stack.stop();
    }
  },
};

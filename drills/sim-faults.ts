import { applyAndSettle } from "./lib/applies.ts";
import { type Drill, expectations } from "./lib/context.ts";
import { Tally } from "./lib/http.ts";
import { LEASE_FIGURES, LEASE_KINDS, type LeaseDesktop, leaseFigures, startLeases } from "./lib/leases.ts";
import { LIFECYCLE_OPS, madeBy, settleLifecycle, submitLifecycle } from "./lib/lifecycle.ts";
import { startStack } from "./lib/stack.ts";

const APPLIES = 40;
/** The last 10 applies carry a lease an hour long, which the drill shortens to seconds (POST /api/desktop/lease). */
const LEASE_FROM = 30;
const LEASE_EXTEND_EVERY = 3;
/**
 * 30 % of upstream requests fail: 10 % hang until deskgate's 2 s timeout, then 22.2 % of the
 * rest answer 500 (the simulator draws the timeout first): 0.1 + 0.9 × 0.222 = 0.3.
 */
const FAULTS = { timeout_rate: 0.1, error_rate: 0.2222, seed: 9 };
const RETRY_DELAY_MAX_S = 8;

/**
 * Drill 4: the simulator fails 30 % of requests (errors and timeouts) during 40 applies, then
 * during lifecycle tasks (power, rebuild, lock, delete, offboard in turn) on 30 of the desktops
 * they made and, at the same time, the leases of the other 10 (set by their apply an hour long,
 * shortened to seconds by POST /api/desktop/lease, every 3rd extended after its expiry) running
 * to their end. Every task ends (succeeded, or failed with a reason after its retries), every
 * callback arrives, nothing a failed apply made is left upstream, and nothing a succeeded
 * delete, offboard or lease.delete removed is left upstream or in deskgate's tables.
 */
export const simFaultsDrill: Drill = {
  name: "sim-faults",
  async run(ctx) {
    const stack = await startStack(ctx, "sim-faults");
    try {
      // A write that fails (500 or timeout) is retried by pg-boss, not in the adapter, with a
      // backoff that doubles from 2 s up to 5 min: a desktop POST that fails 6 times in a row
      // (~4 % of runs of this size) would wait 2–4 minutes. The drill caps the backoff at 8 s
      // (delays only, like an operator's queue setting; the retry count stays 8).
      await stack.sql`update pgboss.queue set retry_delay_max = ${RETRY_DELAY_MAX_S}
        where name = any(${["desktop.apply", ...LIFECYCLE_OPS, ...LEASE_KINDS]})`;
      await ctx.sim.faults(FAULTS);
      const anHour = new Date(Date.now() + 3_600_000).toISOString();
      const run = await applyAndSettle(ctx, stack, APPLIES, {
        concurrency: 10,
        settleMs: 150_000,
        extra: (i) => (i >= LEASE_FROM ? { expires_at: anHour } : {}),
      });
      const made = madeBy(run.rows);
      const leased = new Map(
        (
          (await stack.sql`select desktop_uuid, lease_expires_at from desktops
          where lease_expires_at is not null`) as unknown as {
            desktop_uuid: string;
            lease_expires_at: Date;
          }[]
        ).map((r) => [r.desktop_uuid, r.lease_expires_at.toISOString()]),
      );
      const leaseTargets: LeaseDesktop[] = made
        .filter((d) => leased.has(d.desktop_uuid))
        .map((d) => ({ ...d, lease: leased.get(d.desktop_uuid)! }));
      const targets = made.filter((d) => !leased.has(d.desktop_uuid));
      // the lifecycle tasks and the leases at the same time, under the same faults
      const lifeTally = new Tally();
      const leaseTally = new Tally();
      const leases = await startLeases(ctx, stack, leaseTally, leaseTargets, {
        name: "sim-faults",
        extendEvery: LEASE_EXTEND_EVERY,
        spreadMs: 300,
      });
      const lifeAcked = await submitLifecycle(stack, lifeTally, targets, `${ctx.receiver.url}/callbacks`);
      const [life, lease] = await Promise.all([
        settleLifecycle(ctx, stack, stack.sql, lifeAcked, 150_000),
        leases.settle(150_000),
      ]);
      const stats = await ctx.sim.stats();
      await ctx.sim.faults({});
      const all = [...run.rows, ...life.rows, ...lease.rows];
      const failedDeletes = lease.rows.filter((r) => r.kind === "lease.delete" && r.state === "failed");
      const notTerminal = all.filter((r) => !["succeeded", "failed"].includes(r.state));
      const noReason = all.filter((r) => r.state === "failed" && !r.error?.trim());
      const figures = {
        ...run.figures,
        lost: run.figures.lost + life.figures.lost + lease.figures.lost,
        duplicated: run.figures.duplicated + life.figures.duplicated + lease.figures.duplicated,
        orphaned: run.figures.orphaned + life.figures.orphaned + lease.figures.orphaned,
        "5xx": run.figures["5xx"] + lifeTally.fiveXx + leaseTally.fiveXx,
        lifecycle_tasks: lifeAcked.length,
        lifecycle_succeeded: life.figures.succeeded,
        lifecycle_failed: life.figures.failed,
        ...leaseFigures(lease.figures, [...LEASE_FIGURES, "deleted", "failed"]),
        faults_injected: stats.faults_injected,
        max_runs: Math.max(0, ...run.rows.map((r) => r.attempts)),
        upstream_requests: stats.requests,
      };
      const { problems, expect } = expectations();
      expect(
        run.acked.length === APPLIES,
        `${run.acked.length}/${APPLIES} acknowledged: ${run.tally.samples}`,
      );
      expect(
        lifeAcked.length === targets.length && targets.length > 0,
        `${lifeAcked.length}/${targets.length} lifecycle requests acknowledged: ${lifeTally.samples}`,
      );
      expect(
        leaseTargets.length === APPLIES - LEASE_FROM || run.rows.some((r) => r.state !== "succeeded"),
        `${leaseTargets.length} leased desktops made by ${APPLIES - LEASE_FROM} applies with expires_at`,
      );
      expect(
        leaseTargets.length > 0 && leases.setters().length >= leaseTargets.length,
        `${leases.setters().length}/${leaseTargets.length} lease requests acknowledged: ${leaseTally.samples}`,
      );
      expect(
        lease.figures.deleted + failedDeletes.length === leaseTargets.length,
        `${lease.figures.deleted}/${leaseTargets.length} leased desktops deleted by their lease (${failedDeletes.length} deletes failed)`,
      );
      for (const problem of lease.problems.slice(0, 10)) expect(false, `lease: ${problem}`);
      expect(lease.unverified === 0, `${lease.unverified} lease callbacks failed signature verification`);
      expect(notTerminal.length === 0, `${notTerminal.length} tasks not terminal`);
      expect(noReason.length === 0, `${noReason.length} failed tasks without a reason`);
      expect(
        figures.lost === 0,
        `${figures.lost} tasks lost (${run.missing + life.missing + lease.missing} callbacks missing)`,
      );
      expect(
        figures.orphaned === 0,
        `orphans: ${[...run.orphans, ...life.orphans, ...lease.orphans].slice(0, 5).join(", ")}`,
      );
      expect(figures.duplicated === 0, `${figures.duplicated} duplicates`);
      expect(figures["5xx"] === 0, `${figures["5xx"]} answers 5xx`);
      expect(stats.faults_injected > 0, "no fault was injected");
      return {
        load: `${APPLIES} applies + ${lifeAcked.length} lifecycle tasks + ${leaseTargets.length} leases, upstream 20 % errors + 10 % timeouts`,
        figures,
        problems,
      };
    } finally {
      await ctx.sim.faults({});
      await stack.stop();
    }
  },
};

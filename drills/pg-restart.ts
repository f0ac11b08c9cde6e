import { log, sleep, waitUntil } from "../tools/harness/time.ts";
import {
  callbackFigures,
  countLost,
  snapshot,
  upstreamFigures,
  waitCallbacks,
  waitTerminal,
} from "./lib/checks.ts";
import { type Drill, expectations } from "./lib/context.ts";
import { applyBody, call, Tally } from "./lib/http.ts";
import { startStack } from "./lib/stack.ts";

const RATE_PER_S = 10;
const LOAD_MS = 20_000;
const DOWN_AT_MS = 4_000;
const DOWN_MS = 8_000;

/**
 * Drill 2: PostgreSQL stopped (fast shutdown) for 8 s and started again on the same data and
 * port, under a steady 10 applies/s. While it is down the api must answer 503 envelopes (no
 * hang); afterwards api and worker recover by themselves; no acknowledged task is lost.
 */
export const pgRestartDrill: Drill = {
  name: "pg-restart",
  async run(ctx) {
    const restart = ctx.cluster.restart;
    if (!restart) {
      return {
        load: "-",
        figures: { lost: 0, duplicated: 0, orphaned: 0, "5xx": 0 },
        problems: ["needs the embedded PostgreSQL it can restart: run without DATABASE_URL"],
      };
    }
    const stack = await startStack(ctx, "pg-restart");
    try {
      const before = await snapshot(ctx.sim);
      const tally = new Tally();
      const acked: string[] = [];
      let down = false;
      let answersWhileDown = 0;
      let unavailable = 0;
      let otherWhileDown = 0;
      const api = stack.apis[0]!.url;
      const pending: Promise<void>[] = [];
      const started = performance.now();
      const outage = sleep(DOWN_AT_MS).then(() =>
        restart(DOWN_MS, () => {
          down = true;
          log("pg-restart: PostgreSQL is down");
        }).then(() => {
          down = false;
          log("pg-restart: PostgreSQL is back");
        }),
      );
      let slowest = 0;
      while (performance.now() - started < LOAD_MS) {
        const sentWhileDown = down;
        pending.push(
          call(tally, api, "POST", "/api/desktop/apply", {
            body: applyBody(`${ctx.receiver.url}/callbacks`),
          }).then((answer) => {
            slowest = Math.max(slowest, answer.ms);
            if (answer.status === 200) acked.push(answer.json.data.task_id);
            else if (answer.status === 503) unavailable++;
            // Sent and answered while down: it cannot have been accepted.
            if (sentWhileDown && down) {
              answersWhileDown++;
              if (answer.status !== 503) otherWhileDown++;
            }
          }),
        );
        await sleep(1000 / RATE_PER_S);
      }
      await Promise.all(pending);
      await outage;
      const ready = await waitUntil(
        "/readyz 200 after the restart",
        async () => (await fetch(`${api}/readyz`).catch(() => null))?.status === 200,
        30_000,
        200,
      ).then(
        () => true,
        () => false,
      );
      // An apply sent after recovery proves the api accepts again without a restart.
      const after = await call(tally, api, "POST", "/api/desktop/apply", {
        body: applyBody(`${ctx.receiver.url}/callbacks`),
      });
      if (after.status === 200) acked.push(after.json.data.task_id);
      const missing = await waitCallbacks(ctx.receiver, acked, 90_000, stack);
      const rows = await waitTerminal(stack.sql, acked, 10_000);
      const upstream = await upstreamFigures(ctx, before, stack.sql);
      const callbacks = callbackFigures(ctx.receiver, new Set(acked));
      const crashed = [...stack.apis.map((a) => a.proc), ...stack.workers].filter(
        (p) => p.child.exitCode !== null,
      );
      const failed = rows.filter((r) => r.state !== "succeeded");
      const figures = {
        lost: countLost(acked, rows, ctx.receiver),
        duplicated: upstream.duplicated + callbacks.duplicated,
        orphaned: upstream.orphaned,
        "5xx": tally.fiveXx - unavailable,
        unavailable_503: unavailable,
        hung: tally.hung,
        slowest_ms: Math.round(slowest),
        acked: acked.length,
        failed: failed.length,
      };
      const { problems, expect } = expectations();
      expect(unavailable > 0, "no 503 while PostgreSQL was down: did the outage happen?");
      expect(
        otherWhileDown === 0,
        `${otherWhileDown} of ${answersWhileDown} answers during the outage were not 503`,
      );
      expect(tally.hung === 0 && tally.errors === 0, `hung or broken requests: ${tally.samples.join(" | ")}`);
      expect(slowest < 10_000, `an answer took ${Math.round(slowest)} ms`);
      expect(tally.notEnvelope === 0, `${tally.notEnvelope} answers not an envelope: ${tally.samples}`);
      expect(figures["5xx"] === 0, `${figures["5xx"]} answers 5xx other than 503`);
      expect(ready, "/readyz did not come back to 200 within 30 s");
      expect(after.status === 200, `an apply after recovery answered ${after.status} ${after.text}`);
      expect(crashed.length === 0, `crashed: ${crashed.map((p) => p.name).join(", ")}`);
      expect(
        missing === 0 && figures.lost === 0,
        `${figures.lost} tasks lost (${missing} callbacks missing)`,
      );
      expect(failed.length === 0, `${failed.length} tasks failed: ${failed[0]?.error}`);
      expect(figures.duplicated === 0, `${figures.duplicated} duplicates`);
      expect(figures.orphaned === 0, `orphans upstream: ${upstream.orphans.join(", ")}`);
      return {
        load: `${RATE_PER_S} applies/s for ${LOAD_MS / 1000} s, PostgreSQL down ${DOWN_MS / 1000} s`,
        figures,
        problems,
      };
    } finally {
      await stack.stop();
    }
  },
};

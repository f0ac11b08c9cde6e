import { randomUUID } from "node:crypto";
import { generatePassword } from "@deskgate/runtime";
import { authHeaders } from "../tools/harness/deskgate.ts";
import {
  callbackFigures,
  countLost,
  readTasks,
  snapshot,
  upstreamFigures,
  waitCallbacks,
  waitTerminal,
} from "./lib/checks.ts";
import { type Drill, expectations } from "./lib/context.ts";
import { applyBody, call, lanes, Tally } from "./lib/http.ts";
import { startStack } from "./lib/stack.ts";

const FIRST_APPLIES = 300;
const RESIZES = 100;
const POLICIES = 100;
const RESETS = 100;
const READS = 150;
const REPLAYED_KEYS = 50;
const MORE_APPLIES = 150;
const TOTAL = FIRST_APPLIES + RESIZES + POLICIES + RESETS + READS + 2 * REPLAYED_KEYS + MORE_APPLIES;

type Op = () => Promise<void>;

/**
 * Drill 8: two api and two worker processes, 1 000 operations: 300 applies, then (shuffled)
 * 100 disk resizes and 100 policy updates on their desktops, 100 password resets of their
 * users, 150 reads, 50 Idempotency-Keys each sent twice at once, 150 more applies. Every task
 * ends once, on one worker: no step done twice, nothing lost, duplicated or orphaned.
 */
export const scaleOutDrill: Drill = {
  name: "scale-out",
  async run(ctx) {
    const stack = await startStack(ctx, "scale-out", { apis: 2, workers: 2 });
    try {
      const before = await snapshot(ctx.sim);
      const tally = new Tally();
      const callbackUrl = `${ctx.receiver.url}/callbacks`;
      let n = 0;
      const api = () => stack.apis[n++ % 2]!.url;
      const withCallback: string[] = [];
      const syncTasks: string[] = [];
      const problemsSeen: string[] = [];
      const note = (p: string) => problemsSeen.length < 5 && problemsSeen.push(p.slice(0, 300));
      const apply = async (headers?: Record<string, string>, body = applyBody(callbackUrl)) => {
        const answer = await call(tally, api(), "POST", "/api/desktop/apply", {
          body,
          headers: headers && { ...authHeaders(), ...headers },
        });
        if (answer.status !== 200) note(`apply → ${answer.status} ${answer.text}`);
        else withCallback.push(answer.json.data.task_id);
        return answer.json?.data?.task_id as string | undefined;
      };

      await lanes(FIRST_APPLIES, 20, async () => {
        await apply();
      });
      await waitCallbacks(ctx.receiver, withCallback, 120_000, stack);
      const made = (await stack.sql`select result->>'username' as username, result->>'desktop_uuid' as desktop
        from tasks where id = any(${withCallback}::uuid[]) and state = 'succeeded'`) as unknown as {
        username: string;
        desktop: string;
      }[];
      if (made.length < FIRST_APPLIES) note(`only ${made.length} of the first applies succeeded`);

      const ops: Op[] = [];
      const at = (i: number) => made[i % Math.max(1, made.length)]!;
      for (let i = 0; i < RESIZES; i++)
        ops.push(async () => {
          const answer = await call(tally, api(), "POST", "/api/desktop/resource-update", {
            body: { desktop_uuid: at(i).desktop, disk: 20 * 2 ** 30, callback_url: callbackUrl },
          });
          if (answer.status === 200) withCallback.push(answer.json.data.task_id);
          else note(`resource-update → ${answer.status} ${answer.text}`);
        });
      for (let i = 0; i < POLICIES; i++)
        ops.push(async () => {
          const answer = await call(tally, api(), "POST", "/api/desktop/policy-update", {
            body: { desktop_uuid: at(RESIZES + i).desktop, "usb-enable": true },
          });
          if (answer.json?.data?.task_id) syncTasks.push(answer.json.data.task_id);
          if (answer.status !== 200) note(`policy-update → ${answer.status} ${answer.text}`);
        });
      for (let i = 0; i < RESETS; i++)
        ops.push(async () => {
          const username = at(RESIZES + POLICIES + i).username;
          const password = generatePassword(username);
          ctx.secrets.add(password);
          const answer = await call(tally, api(), "POST", "/api/user/pwd-reset", {
            body: { username, password },
          });
          if (answer.json?.data?.task_id) syncTasks.push(answer.json.data.task_id);
          if (answer.status !== 200 || answer.json.data.password !== password)
            note(`pwd-reset → ${answer.status} ${answer.status === 200 ? "another password" : answer.text}`);
        });
      for (let i = 0; i < READS; i++)
        ops.push(async () => {
          const path = [
            `/api/user/${at(i).username}/desktops`,
            `/api/desktop/${at(i).desktop}/volumes`,
            `/api/tasks/${withCallback[i % withCallback.length]}`,
          ][i % 3]!;
          const answer = await call(tally, api(), "GET", path);
          if (answer.status !== 200) note(`GET ${path} → ${answer.status} ${answer.text}`);
        });
      const replays: Promise<(string | undefined)[]>[] = [];
      for (let i = 0; i < REPLAYED_KEYS; i++)
        ops.push(async () => {
          const key = randomUUID();
          const body = applyBody(callbackUrl);
          const pair = Promise.all([
            apply({ "idempotency-key": key }, body),
            apply({ "idempotency-key": key }, body),
          ]);
          replays.push(pair);
          await pair;
        });
      for (let i = 0; i < MORE_APPLIES; i++)
        ops.push(async () => {
          await apply();
        });
      shuffle(ops);
      await lanes(ops.length, 20, async (i) => ops[i]!());

      const pairs = await Promise.all(replays);
      const splitPairs = pairs.filter(([a, b]) => !a || a !== b).length;
      const asyncIds = [...new Set(withCallback)];
      const rows = await waitTerminal(stack.sql, [...asyncIds, ...syncTasks], 120_000, stack);
      const missing = await waitCallbacks(ctx.receiver, asyncIds, 30_000, stack);
      const upstream = await upstreamFigures(ctx, before, stack.sql);
      const callbacks = callbackFigures(ctx.receiver, new Set(asyncIds));
      const [work] = (await stack.sql`select
          (select count(*)::int from tasks where attempts > 1) as rerun,
          (select count(*)::int from (select task_id, name from task_steps where outcome = 'ok'
            group by 1, 2 having count(*) > 1) s) as repeated_steps,
          (select count(*)::int from tasks) as tasks`) as unknown as {
        rerun: number;
        repeated_steps: number;
        tasks: number;
      }[];
      const failed = rows.filter((r) => r.state !== "succeeded");
      const figures = {
        lost: countLost(asyncIds, rows, ctx.receiver) + (await lostSync(stack.sql, syncTasks)),
        duplicated: upstream.duplicated + callbacks.duplicated + splitPairs,
        orphaned: upstream.orphaned,
        "5xx": tally.fiveXx,
        ops: tally.answers,
        tasks: work!.tasks,
        failed: failed.length,
        double_work: work!.rerun + work!.repeated_steps,
      };
      const { problems, expect } = expectations();
      expect(tally.answers === TOTAL, `${tally.answers}/${TOTAL} operations answered: ${tally.samples}`);
      expect(problemsSeen.length === 0, `unexpected answers: ${problemsSeen.join(" | ")}`);
      expect(figures.lost === 0, `${figures.lost} tasks lost (${missing} callbacks missing)`);
      expect(
        figures.duplicated === 0,
        `${figures.duplicated} duplicates (${splitPairs} replays answered another task)`,
      );
      expect(figures.orphaned === 0, `orphans upstream: ${upstream.orphans.join(", ")}`);
      expect(figures["5xx"] === 0, `${figures["5xx"]} answers 5xx`);
      expect(failed.length === 0, `${failed.length} tasks did not succeed: ${failed[0]?.error}`);
      expect(
        figures.double_work === 0,
        `double work: ${work!.rerun} tasks ran more than once, ${work!.repeated_steps} steps done twice`,
      );
      expect(callbacks.unverified === 0, `${callbacks.unverified} callbacks failed signature verification`);
      return { load: `${TOTAL} mixed operations, 2 api + 2 worker processes`, figures, problems };
    } finally {
      await stack.stop();
    }
  },
};

async function lostSync(sql: Parameters<typeof readTasks>[0], ids: string[]): Promise<number> {
  const rows = await readTasks(sql, ids);
  return ids.length - rows.filter((r) => r.state === "succeeded" || r.state === "failed").length;
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

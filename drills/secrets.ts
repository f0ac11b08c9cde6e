import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { generatePassword } from "@deskgate/runtime";
import postgres from "postgres";
import { secrets as harnessSecrets } from "../tools/harness/deskgate.ts";
import { applyAndSettle } from "./lib/applies.ts";
import { collectCallbackPasswords } from "./lib/checks.ts";
import { type Drill, type DrillCtx, expectations } from "./lib/context.ts";
import { call, Tally } from "./lib/http.ts";
import { startStack } from "./lib/stack.ts";

/** Where secrets must never be in clear: per table, the rows as text. */
const TABLES = [
  "tasks",
  "task_steps",
  "callback_deliveries",
  "callback_attempts",
  "idempotency_keys",
  "pgboss.job",
];

/**
 * Drill 9, run last: every secret the run saw — generated passwords (from callbacks and the
 * simulator), passwords set by pwd-reset, the API key, the webhook secret, the encryption
 * key — is looked for in every process log of the run and in every row of tasks, steps,
 * deliveries, attempts, idempotency records and pg-boss jobs of every drill's database.
 * Run alone, it first makes a little traffic of its own.
 */
export const secretsDrill: Drill = {
  name: "secrets",
  async run(ctx) {
    if (ctx.databases.length === 0) await ownTraffic(ctx);
    collectCallbackPasswords(ctx);
    ctx.secrets.add(harnessSecrets.encryptionKey);
    const wanted = [...ctx.secrets].filter((s) => s.length >= 8);
    const finder = secretFinder(wanted);
    const selfTest = wanted.every((s) => finder(`{"log":"…${s}…"}`)) && !finder("nothing secret here");
    const leaks = new Map<string, number>();
    const leak = (where: string) => leaks.set(where, (leaks.get(where) ?? 0) + 1);

    let logLines = 0;
    for (const file of readdirSync(ctx.logDir)) {
      if (file === "sim.log") continue; // the simulator is a test tool that keeps passwords by design
      for (const line of readFileSync(join(ctx.logDir, file), "utf8").split("\n")) {
        logLines++;
        if (finder(line)) leak(`log ${file}`);
      }
    }
    let rows = 0;
    for (const url of ctx.databases) {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        for (const table of TABLES) {
          const found = (await sql.unsafe(`select t::text as row from ${table} t`)) as unknown as {
            row: string;
          }[];
          rows += found.length;
          for (const r of found) if (finder(r.row)) leak(`${new URL(url).pathname.slice(1)}.${table}`);
        }
      } finally {
        await sql.end({ timeout: 5 });
      }
    }
    const total = [...leaks.values()].reduce((a, b) => a + b, 0);
    const { problems, expect } = expectations();
    expect(selfTest, "the matcher does not find planted secrets");
    // The API key, the webhook secret and the encryption key, plus at least one password.
    expect(wanted.length >= 4, `only ${wanted.length} secrets collected: the audit would prove little`);
    expect(
      total === 0,
      `secrets in clear: ${[...leaks.entries()]
        .slice(0, 6)
        .map(([w, n]) => `${w} ×${n}`)
        .join(", ")}`,
    );
    return {
      load: `${wanted.length} secrets × ${logLines} log lines + ${rows} rows of ${ctx.databases.length} databases`,
      figures: { lost: 0, duplicated: 0, orphaned: 0, "5xx": 0, leaks: total },
      problems,
    };
  },
};

/** A few applies and a password reset, when the audit runs alone. */
async function ownTraffic(ctx: DrillCtx) {
  const stack = await startStack(ctx, "secrets");
  try {
    const run = await applyAndSettle(ctx, stack, 5, { settleMs: 60_000 });
    const username = run.rows.find((r) => r.state === "succeeded")?.result?.username;
    if (username) {
      const password = generatePassword(username);
      ctx.secrets.add(password);
      await call(new Tally(), stack.apis[0]!.url, "POST", "/api/user/pwd-reset", {
        body: { username, password },
      });
    }
  } finally {
    await stack.stop();
  }
}

/**
 * A matcher for many fixed strings at once: a window per distinct secret length slides over
 * the text and is looked up in a set (linear in the text, whatever the number of secrets).
 */
function secretFinder(wanted: string[]): (text: string) => boolean {
  const byLength = new Map<number, Set<string>>();
  for (const s of wanted) {
    const set = byLength.get(s.length) ?? new Set<string>();
    set.add(s);
    byLength.set(s.length, set);
  }
  return (text) => {
    for (const [length, set] of byLength)
      for (let i = 0; i + length <= text.length; i++) if (set.has(text.slice(i, i + length))) return true;
    return false;
  };
}

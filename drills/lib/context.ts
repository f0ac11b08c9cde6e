import type postgres from "postgres";
import type { Sim } from "../../tools/harness/deskgate.ts";
import type { Cluster } from "../../tools/harness/pg.ts";
import type { Receiver } from "../../tools/harness/receiver.ts";

/** What every drill gets from the runner: one PostgreSQL, one simulator, one callback receiver. */
export interface DrillCtx {
  cluster: Cluster;
  sim: Sim;
  receiver: Receiver;
  /** The Standard Webhooks secret every deskgate process of the run signs with. */
  webhookSecret: string;
  /** Folder where every child process's output is kept (read by the secrets audit). */
  logDir: string;
  /** Every secret seen during the run (passwords, keys, tokens): the secrets audit looks for them. */
  secrets: Set<string>;
  /** Every database a drill used, kept until the end of the run for the secrets audit. */
  databases: string[];
}

/** The figures every drill line carries, plus its own extras. */
export interface Figures {
  lost: number;
  duplicated: number;
  orphaned: number;
  "5xx": number;
  [extra: string]: number | string;
}

export interface DrillResult {
  load: string;
  figures: Figures;
  /** Why it failed (empty = PASS); printed to stderr, the line says FAIL. */
  problems: string[];
}

export interface Drill {
  name: string;
  run(ctx: DrillCtx): Promise<DrillResult>;
}

export type Sql = postgres.Sql;

/** `name | load | PASS/FAIL | lost=… duplicated=… orphaned=… 5xx=… extras (seconds)` */
export function drillLine(name: string, result: DrillResult, seconds: number): string {
  const figures = Object.entries(result.figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  const outcome = result.problems.length === 0 ? "PASS" : "FAIL";
  return `${name} | ${result.load} | ${outcome} | ${figures} | ${seconds.toFixed(0)} s`;
}

/** Collects a drill's failed expectations: `expect(ok, "what was wrong")`. */
export function expectations() {
  const problems: string[] = [];
  return {
    problems,
    expect(ok: boolean, problem: string) {
      if (!ok) problems.push(problem);
    },
  };
}

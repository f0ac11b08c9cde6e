/** The printed summary: one line per figure, deskgate beside its floor and the ratio. */
// biome-ignore lint/suspicious/noExplicitAny: the results object is read loosely to print it
type Any = Record<string, any>;

const mm = (v: Any | undefined, unit = "") => (v ? `${v.median}${unit} (min ${v.min})` : "—");
const ok = (met: boolean | undefined) => (met === undefined ? "" : met ? "MET" : "MISSED");

export function table(result: Any): string {
  const f = result.figures as Any;
  const rows: string[][] = [["figure", "deskgate median (min)", "floor median (min)", "ratio", "target", ""]];
  if (f.accept) {
    const a = f.accept;
    rows.push([
      "1 accept req/s vs (c)",
      mm(a.deskgate.rps),
      `(c) ${mm(a.floor_c.rps)}`,
      `${a.ratio_to_c}`,
      a.target,
      ok(a.met),
    ]);
    rows.push(["  vs (d) INSERT+send tx", "", `(d) ${mm(a.floor_d.rps)}`, `${a.ratio_to_d}`, "", ""]);
    rows.push([
      "  p50 / p99 ms",
      `${a.deskgate.p50_ms.median} / ${a.deskgate.p99_ms.median}`,
      `(c) ${a.floor_c.p50_ms.median} / ${a.floor_c.p99_ms.median}  (d) ${a.floor_d.p50_ms.median} / ${a.floor_d.p99_ms.median}`,
      "",
      "",
      "",
    ]);
  }
  if (f.latency) {
    const l = f.latency;
    rows.push([
      `2 accept→callback p50 ms @${l.rate_per_s}/s`,
      mm(l.deskgate.p50_ms),
      mm(l.floor.p50_ms),
      `${l.p50_ratio}`,
      l.target,
      ok(l.met),
    ]);
    rows.push(["  p99 ms", mm(l.deskgate.p99_ms), mm(l.floor.p99_ms), `${l.p99_ratio}`, "", ""]);
  }
  if (f.drain) {
    const d = f.drain;
    rows.push([
      `3 drain ${d.jobs} jobs/s`,
      mm(d.deskgate.jobs_per_s),
      mm(d.floor_raw_pgboss.jobs_per_s),
      `${d.ratio}`,
      d.target,
      ok(d.met),
    ]);
  }
  if (f.drain?.fair_floor) {
    const d = f.drain;
    rows.push([
      "  vs fair floor (same upstream calls)",
      "",
      mm(d.fair_floor.jobs_per_s),
      `${d.ratio_to_fair}`,
      d.fair_target,
      ok(d.fair_met),
    ]);
  }
  if (f.rate_limit) {
    const r = f.rate_limit;
    rows.push([
      `4 upstream req/s at limit ${r.limit_per_s}`,
      mm(r.achieved_per_s),
      `N = ${r.limit_per_s}`,
      `${r.ratio}`,
      r.target,
      ok(r.met),
    ]);
    rows.push([
      "  failed callbacks / sim 429s",
      `${r.failed_callbacks} / ${r.sim_throttled_429s}`,
      "",
      "",
      "",
      "",
    ]);
  }
  if (f.memory) {
    const m = f.memory;
    rows.push([
      "5 RSS MiB api",
      mm(m.deskgate_api_mib),
      `server ${mm(m.floor_server_mib)}`,
      `${m.api_ratio}`,
      m.target,
      ok(m.met),
    ]);
    rows.push([
      "  RSS MiB worker",
      mm(m.deskgate_worker_mib),
      `worker ${mm(m.floor_worker_mib)}`,
      `${m.worker_ratio}`,
      "",
      "",
    ]);
  }
  if (f.scale) {
    for (const [w, s] of Object.entries(f.scale as Any))
      rows.push([
        `6 drain, ${w} worker(s) jobs/s`,
        mm(s.jobs_per_s),
        f.drain ? mm(f.drain.floor_raw_pgboss.jobs_per_s) : "",
        `×${s.speedup_vs_1} vs 1`,
        "grows with workers",
        "",
      ]);
  }
  if (f.long_jobs) {
    const l = f.long_jobs;
    rows.push([
      `7 ${l.applies} applies, ${l.sim_desktop_job_s}-s jobs, R ${l.upstream_limit_per_s}: s`,
      `${l.elapsed_s}`,
      `${l.floor_s}`,
      `${l.ratio_to_floor}`,
      "≤ 1.2 × floor",
      ok(l.met),
    ]);
    rows.push([
      "  worker RSS MiB / calls per apply",
      `${l.worker_rss_max_mib} / ${l.upstream_calls_per_apply}`,
      "",
      "",
      "< 150 MiB",
      "",
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join(" | ");
  const header = `deskgate bench (${result.mode}) ${result.date} on ${result.host}, ${result.cpus} CPUs, load ${result.load_average.before.join(" ")}`;
  return [
    header,
    line(rows[0]!),
    widths.map((w) => "-".repeat(w)).join("-|-"),
    ...rows.slice(1).map(line),
  ].join("\n");
}

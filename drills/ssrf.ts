import { lookup } from "node:dns/promises";
import { createServer, type Server } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { hostname } from "node:os";
import { freePort } from "@deskgate/db/embedded";
import { waitUntil } from "../tools/harness/time.ts";
import { waitCallbacks, waitTerminal } from "./lib/checks.ts";
import { type Drill, type DrillCtx, expectations, type Figures, type Sql } from "./lib/context.ts";
import { applyBody, call, lanes, Tally } from "./lib/http.ts";
import { startStack } from "./lib/stack.ts";

/** RELIABILITY.md 3, "must block": every one of them, on the default port. */
const MUST_BLOCK = [
  "http://127.0.0.1/",
  "http://127.1/",
  "http://2130706433/",
  "http://017700000001/",
  "http://0177.0.0.1/",
  "http://0x7f000001/",
  "http://[::1]/",
  "http://0/",
  "http://0.0.0.0/",
  "http://[::]/",
  "http://[::ffff:127.0.0.1]/",
  "http://[::ffff:169.254.169.254]/",
  "http://[::127.0.0.1]/",
  "http://10.0.0.1/",
  "http://172.16.0.1/",
  "http://192.168.1.1/",
  "http://100.64.0.1/",
  "http://169.254.169.254/latest/meta-data/",
  "http://0xA9FEA9FE/",
  "http://2852039166/",
  "http://[fd00:ec2::254]/",
  "http://100.100.100.200/",
  "http://224.0.0.1/",
  "http://255.255.255.255/",
  "http://240.0.0.1/",
  "http://198.18.0.1/",
  "http://192.0.2.1/",
  "http://[fc00::1]/",
  "http://[fe80::1]/",
  "http://[fec0::1]/",
  "http://[ff02::1]/",
  "http://[64:ff9b::7f00:1]/",
  "http://[2002:7f00:1::1]/",
  "http://[2001::1]/",
  "http://[2001:db8::1]/",
  "http://[100::1]/",
  "file:///etc/passwd",
  "gopher://127.0.0.1:6379/_x",
  "javascript:alert(1)",
  "http://user:pass@example.com/",
  "http://localhost/",
  "http://localhost./",
  "http://a.localhost/",
  "http://127.0.0.1.nip.io/",
];

/**
 * Drill 7: every SSRF vector of RELIABILITY.md 3 as an apply's `callback_url`, plus the same
 * loopback forms on a port where a canary listens, this machine's host name (it resolves to
 * 127.0.0.1 through /etc/hosts, so only the delivery-time check can stop it), and an
 * allowlisted receiver that answers `302 Location: <canary>`. Nothing may connect to the
 * canaries; each vector is refused at request time (400) or every delivery attempt is
 * `blocked` (or fails to resolve) — never answered.
 *
 * Then "own stack" (issue 17.4): a second deskgate with the old dev allowlist `127.0.0.1/32`
 * gets callbacks into its own stack — its api (`/ops`), the simulator every drill shares
 * (`/_sim/reset`), the worker's metrics, its PostgreSQL, 5432 and 6379 — which must all be
 * refused at request time (the host name forms: blocked at delivery), while the run's receiver
 * on 127.0.0.1 still gets its callback, and the simulator is not reset.
 */
export const ssrfDrill: Drill = {
  name: "ssrf",
  async run(ctx) {
    const canaryPort = await freePort();
    const canaries = await openCanaries([80, canaryPort]);
    const redirectPort = await freePort();
    const redirector = await listen(
      createServer((_req, res) => {
        res.writeHead(302, { location: `http://127.0.0.1:${canaryPort}/` }).end();
      }),
      redirectPort,
      "127.0.0.2",
    );
    // Only the redirecting receiver is opened: 127.0.0.1 stays blocked.
    const stack = await startStack(ctx, "ssrf", { env: { DESKGATE_CALLBACK_ALLOWLIST: "127.0.0.2/32" } });
    let stopped = false;
    try {
      const host = hostname();
      const hostResolves = await lookup(host).then(
        (a) => /^(127\.|::1$|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(a.address),
        () => false,
      );
      const p = canaryPort;
      const vectors = [
        ...MUST_BLOCK,
        `http://127.0.0.1:${p}/`,
        `http://127.1:${p}/`,
        `http://2130706433:${p}/`,
        `http://0x7f000001:${p}/`,
        `http://[::1]:${p}/`,
        `http://[::ffff:127.0.0.1]:${p}/`,
        `http://0:${p}/`,
        `http://localhost:${p}/`,
        ...(hostResolves ? [`http://${host}:${p}/`, `http://${host}/`] : []),
      ];
      const redirect = `http://127.0.0.2:${redirectPort}/callbacks`;
      const tally = new Tally();
      const acceptedTask = new Map<string, string>(); // task id → vector
      let refused = 0;
      await lanes(vectors.length + 1, 8, async (i) => {
        const vector = vectors[i] ?? redirect;
        const answer = await call(tally, stack.apis[0]!.url, "POST", "/api/desktop/apply", {
          body: applyBody(vector),
        });
        if (answer.status === 400) refused++;
        else if (answer.status === 200) acceptedTask.set(answer.json.data.task_id, vector);
      });
      const ids = [...acceptedTask.keys()];
      await waitTerminal(stack.sql, ids, 60_000, stack);
      const attempts = () => attemptsOf(stack.sql, ids);
      await waitUntil(
        "a finished delivery attempt for every accepted vector",
        async () => {
          const done = new Set(
            (await attempts()).filter((a) => a.outcome !== "sending").map((a) => a.task_id),
          );
          return ids.every((id) => done.has(id));
        },
        60_000,
        250,
      );
      const rows = await attempts();
      let blocked = 0;
      let answered = 0;
      const leaks: string[] = [];
      for (const a of rows) {
        const vector = acceptedTask.get(a.task_id)!;
        if (vector === redirect) continue;
        if (a.outcome === "blocked") blocked++;
        else if (a.error_class !== "dns") {
          answered++;
          leaks.push(`${vector}: ${a.outcome} ${a.error_class} ${a.http_status}`);
        }
      }
      const redirectAttempts = rows.filter((a) => acceptedTask.get(a.task_id) === redirect);
      const connections = canaries.connections();
      const figures: Figures = {
        lost: 0,
        duplicated: 0,
        orphaned: 0,
        "5xx": tally.fiveXx,
        vectors: vectors.length + 1,
        refused_at_request: refused,
        blocked_at_delivery: blocked,
        connected: connections + answered,
      };
      const { problems, expect } = expectations();
      await stack.stop();
      stopped = true;
      const own = await ownStack(ctx, hostResolves ? host : null);
      figures["5xx"] += own.fiveXx;
      Object.assign(figures, own.figures);
      problems.push(...own.problems);
      expect(connections === 0, `${connections} connections reached a canary`);
      expect(answered === 0, `attempts that were not blocked: ${leaks.slice(0, 5).join(" | ")}`);
      expect(
        redirectAttempts.length > 0 &&
          redirectAttempts.every((a) => a.outcome === "failed" && a.http_status === 302),
        `the redirecting receiver's attempts: ${JSON.stringify(redirectAttempts.slice(0, 2))}`,
      );
      expect(refused + acceptedTask.size === vectors.length + 1, `unexpected answers: ${tally.samples}`);
      expect(figures["5xx"] === 0, `${figures["5xx"]} answers 5xx`);
      expect(!hostResolves || blocked > 0, "the host-name vectors were never checked at delivery");
      return {
        load:
          `${vectors.length + 1} SSRF callback URLs (RELIABILITY.md 3, canaries, host name, 302)` +
          ` + ${own.figures.own_stack} into the stack's own ports`,
        figures,
        problems,
      };
    } finally {
      if (!stopped) await stack.stop();
      await canaries.close();
      await new Promise((r) => redirector.close(r));
    }
  },
};

/**
 * Callbacks into deskgate's own stack under the allowlist the dev stack had before issue 17.4
 * (`127.0.0.1/32`, every local port open): each must be refused at request time, or (a host name
 * that resolves to 127.0.0.1) have every delivery attempt blocked, and the shared simulator must
 * keep its state. A callback to the run's receiver on 127.0.0.1 is still delivered.
 */
async function ownStack(
  ctx: DrillCtx,
  host: string | null,
): Promise<{ figures: Record<string, number>; fiveXx: number; problems: string[] }> {
  const metricsPort = await freePort(); // the worker really listens there
  const stack = await startStack(ctx, "ssrf_own", {
    env: { DESKGATE_CALLBACK_ALLOWLIST: "127.0.0.1/32", DESKGATE_WORKER_METRICS_PORT: String(metricsPort) },
  });
  try {
    const api = Number(new URL(stack.apis[0]!.url).port);
    const sim = Number(new URL(ctx.sim.url).port);
    const database = Number(new URL(stack.databaseUrl).port || 5432);
    const tally = new Tally();
    const apply = (url: string) =>
      call(tally, stack.apis[0]!.url, "POST", "/api/desktop/apply", { body: applyBody(url) });

    // The run's receiver first: its callback arrives, and the simulator then holds its desktop.
    const control = await apply(`${ctx.receiver.url}/callbacks`);
    const controlId: string | undefined = control.json?.data?.task_id;
    const missing = controlId ? await waitCallbacks(ctx.receiver, [controlId], 30_000, stack) : 1;
    const before = new Set((await ctx.sim.state()).desktops.map((d) => d.desktop_id));

    const refusedVectors = [
      `http://127.0.0.1:${api}/ops/login`,
      `http://127.1:${api}/ops`,
      `http://[::ffff:127.0.0.1]:${api}/api/desktop/apply`,
      `http://[::1]:${api}/ops`,
      `http://127.0.0.1:${sim}/_sim/reset`,
      `http://2130706433:${sim}/_sim/reset`,
      `http://0x7f.1:${sim}/_sim/faults`,
      `http://localhost:${sim}/_sim/reset`,
      `http://127.0.0.1:${metricsPort}/metrics`,
      `http://127.0.0.1:${database}/`,
      "http://127.0.0.1:5432/",
      "http://127.0.0.1:6379/",
    ];
    // Names pass the request-time check; the worker's connect-time check must stop them.
    const nameVectors = host
      ? [
          `http://${host}:${sim}/_sim/reset`,
          `http://${host}:${api}/ops/login`,
          `http://${host}:${metricsPort}/metrics`,
          `http://${host}:6379/`,
        ]
      : [];
    let refused = 0;
    const accepted = new Map<string, string>(); // task id → vector
    const wronglyAccepted: string[] = [];
    for (const vector of [...refusedVectors, ...nameVectors]) {
      const answer = await apply(vector);
      if (answer.status === 400 && refusedVectors.includes(vector)) refused++;
      else if (answer.status === 200 && nameVectors.includes(vector))
        accepted.set(answer.json.data.task_id, vector);
      else wronglyAccepted.push(`${vector} → ${answer.status} ${answer.text.slice(0, 120)}`);
    }
    const ids = [...accepted.keys()];
    const attempts = () => attemptsOf(stack.sql, ids);
    await waitTerminal(stack.sql, ids, 60_000, stack);
    await waitUntil(
      "a finished delivery attempt for every own-stack host-name vector",
      async () => {
        const done = new Set((await attempts()).filter((a) => a.outcome !== "sending").map((a) => a.task_id));
        return ids.every((id) => done.has(id));
      },
      60_000,
      250,
    );
    const rows = await attempts();
    const leaks = rows
      .filter((a) => a.outcome !== "blocked")
      .map((a) => `${accepted.get(a.task_id)}: ${a.outcome} ${a.error_class} ${a.http_status}`);
    const after = new Set((await ctx.sim.state()).desktops.map((d) => d.desktop_id));
    const lostDesktops = [...before].filter((id) => !after.has(id)).length;

    const { problems, expect } = expectations();
    expect(
      controlId !== undefined && missing === 0,
      `the receiver's callback (127.0.0.1/32): ${control.status} ${control.text.slice(0, 200)}`,
    );
    expect(
      wronglyAccepted.length === 0,
      `own-stack vectors not refused: ${wronglyAccepted.slice(0, 5).join(" | ")}`,
    );
    expect(leaks.length === 0, `own-stack attempts that were not blocked: ${leaks.slice(0, 5).join(" | ")}`);
    expect(
      before.size > 0 && lostDesktops === 0,
      `the simulator lost ${lostDesktops} of ${before.size} desktops: reset`,
    );
    expect(stack.crashed().length === 0, `crashed: ${stack.crashed().join("; ")}`);
    return {
      fiveXx: tally.fiveXx,
      figures: {
        own_stack: refusedVectors.length + nameVectors.length,
        own_refused_at_request: refused,
        own_blocked_at_delivery: rows.filter((a) => a.outcome === "blocked").length,
        sim_reset: lostDesktops > 0 ? 1 : 0,
      },
      problems,
    };
  } finally {
    await stack.stop();
  }
}

/** TCP listeners on 127.0.0.1 and ::1 that count every connection (a port in use is skipped). */
async function openCanaries(ports: number[]) {
  let count = 0;
  const servers: ReturnType<typeof createTcpServer>[] = [];
  for (const port of ports) {
    for (const host of ["127.0.0.1", "::1"]) {
      const server = createTcpServer((socket) => {
        count++;
        socket.destroy();
      });
      const ok = await new Promise<boolean>((resolve) => {
        server.once("error", () => resolve(false));
        server.listen(port, host, () => resolve(true));
      });
      if (ok) servers.push(server);
    }
  }
  return {
    connections: () => count,
    close: () => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))),
  };
}

function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** Every delivery attempt of these tasks' callbacks. */
async function attemptsOf(sql: Sql, ids: string[]) {
  return (await sql`select d.task_id, a.outcome, a.error_class, a.http_status
    from callback_attempts a join callback_deliveries d on d.id = a.delivery_id
    where d.task_id = any(${ids}::uuid[])`) as unknown as {
    task_id: string;
    outcome: string;
    error_class: string | null;
    http_status: number | null;
  }[];
}

import { randomUUID } from "node:crypto";
import { addHpcAccount, connect, upsertDesktop, upsertUser } from "@deskgate/db";
import { createSecretBox } from "@deskgate/runtime";
import fc from "fast-check";
import { Agent, request } from "undici";
import { secrets } from "../tools/harness/deskgate.ts";
import { type Drill, expectations } from "./lib/context.ts";
import { call, lanes, Tally } from "./lib/http.ts";
import { startStack } from "./lib/stack.ts";

const CASES = 10_000;
const TRPC_CASES = 2_000;
const SEED = 20261124;

interface Case {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** What exists in deskgate's tables, so that some fuzzed requests are accepted. */
interface Known {
  username: string;
  desktop: string;
  account: string;
  callbackUrl: string;
}

/**
 * Drill 6: 10 000 requests from fast-check (seeded) across every REST route (the lifecycle ones too): bodies with
 * fuzzed fields, wrong types, extra keys, malformed or oversized JSON, other methods, odd path
 * parameters, missing/wrong keys, content types, Idempotency-Keys and languages. No worker
 * runs and synchronous requests answer 202 at once. Every answer must be an envelope, none
 * 5xx, and every row in tasks, pg-boss jobs and idempotency records must belong to an
 * accepted request. Then the inputs of the attack run (issue 17.7: 20 000-deep JSON with an
 * Idempotency-Key, `/api/tasks/` + 36 dashes, `/ops?q=` + 36 dashes, a login `next` with CR/LF),
 * and 2 000 fuzzed tRPC calls over every procedure: never a 5xx, never a stack or SQL text.
 * (Failed authentications are not throttled here: the fuzz is about input, and the throttle has
 * its own tests.)
 */
export const fuzzDrill: Drill = {
  name: "fuzz",
  async run(ctx) {
    const stack = await startStack(ctx, "fuzz", {
      workers: 0,
      env: { DESKGATE_SYNC_TIMEOUT_MS: "0", DESKGATE_AUTH_FAILURES_PER_MINUTE: "1000000" },
    });
    try {
      const known = await seedTables(stack.databaseUrl, `${ctx.receiver.url}/fuzz`);
      const cases = fc.sample(caseArbitrary(known), { numRuns: CASES, seed: SEED });
      const tally = new Tally();
      const accepted = new Set<string>();
      let clientRefused = 0;
      await lanes(cases.length, 16, async (i) => {
        const c = cases[i]!;
        const answer = await call(tally, stack.apis[0]!.url, c.method, c.path, {
          headers: c.headers,
          body: c.body,
        });
        if (answer.status === 0 && /InvalidArgument|invalid/i.test(answer.text)) clientRefused++;
        const taskId = answer.json?.data?.task_id ?? answer.headers["x-task-id"];
        if (answer.status >= 200 && answer.status < 300 && typeof taskId === "string") accepted.add(taskId);
      });
      const base = stack.apis[0]!.url;
      const hostile = await hostileCases(base, tally, accepted);
      const trpc = new TrpcTally();
      const trpcCases = fc.sample(trpcArbitrary(known), { numRuns: TRPC_CASES, seed: SEED });
      await lanes(trpcCases.length, 16, async (i) => {
        const taskId = await trpcCall(trpc, base, trpcCases[i]!);
        if (taskId) accepted.add(taskId);
      });
      const ids = [...accepted];
      const [strays] = (await stack.sql`select
          (select count(*)::int from tasks where id <> all(${ids}::uuid[])) as tasks,
          (select count(*)::int from pgboss.job where name <> 'platform.reconcile'
            and (data->>'task_id') <> all(${ids}::text[])) as jobs,
          (select count(*)::int from idempotency_keys where task_id is null
            or task_id <> all(${ids}::uuid[])) as idempotency`) as unknown as {
        tasks: number;
        jobs: number;
        idempotency: number;
      }[];
      const rejectedRows = strays!.tasks + strays!.jobs + strays!.idempotency;
      const strayKinds = (await stack.sql`select kind, count(*)::int as n from tasks
          where id <> all(${ids}::uuid[]) group by kind order by kind`) as unknown as {
        kind: string;
        n: number;
      }[];
      const figures = {
        lost: 0,
        duplicated: 0,
        orphaned: 0,
        "5xx": tally.fiveXx,
        not_envelope: tally.notEnvelope,
        accepted: accepted.size,
        rows_by_rejected: rejectedRows,
        hostile: hostile.cases,
        hostile_5xx: hostile.fiveXx,
        trpc_calls: trpc.answers,
        trpc_5xx: trpc.fiveXx,
        trpc_malformed: trpc.malformed,
        trpc_leaks: trpc.leaks,
        statuses: [...tally.byStatus.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([s, n]) => `${s}:${n}`)
          .join(","),
      };
      const { problems, expect } = expectations();
      expect(
        tally.answers === CASES + hostile.enveloped,
        `${CASES + hostile.enveloped - tally.answers} requests without an answer: ${tally.samples}`,
      );
      expect(hostile.fiveXx === 0, `hostile inputs answered 5xx: ${hostile.samples.join(" | ")}`);
      expect(
        trpc.answers === TRPC_CASES,
        `${TRPC_CASES - trpc.answers} tRPC calls without an answer: ${trpc.samples}`,
      );
      expect(trpc.fiveXx === 0, `${trpc.fiveXx} tRPC answers 5xx: ${trpc.samples.join(" | ")}`);
      expect(
        trpc.malformed === 0,
        `${trpc.malformed} tRPC answers not tRPC's JSON: ${trpc.samples.join(" | ")}`,
      );
      expect(trpc.leaks === 0, `${trpc.leaks} tRPC errors with a stack or SQL: ${trpc.samples.join(" | ")}`);
      expect(
        clientRefused === 0,
        `${clientRefused} cases the HTTP client refused to send (fix the generator)`,
      );
      expect(tally.fiveXx === 0, `${tally.fiveXx} answers 5xx: ${tally.samples.join(" | ")}`);
      expect(
        tally.notEnvelope === 0,
        `${tally.notEnvelope} answers not an envelope: ${tally.samples.join(" | ")}`,
      );
      expect(
        rejectedRows === 0,
        `rows without an accepted request: ${strays!.tasks} tasks (${strayKinds.map((k) => `${k.kind}: ${k.n}`).join(", ")}), ${strays!.jobs} jobs, ${strays!.idempotency} idempotency records`,
      );
      expect(accepted.size > 0, "no fuzzed request was accepted: the generator is too far off");
      return { load: `${CASES} fuzzed requests (fast-check, seed ${SEED})`, figures, problems };
    } finally {
      await stack.stop();
    }
  },
};

/** A user with a desktop and an HPC account in deskgate's tables (as earlier tasks would leave them). */
async function seedTables(databaseUrl: string, callbackUrl: string): Promise<Known> {
  const database = connect(databaseUrl, { max: 1 });
  try {
    const known = { username: "fuzz_01", desktop: randomUUID(), account: "fuzz-acct", callbackUrl };
    await upsertUser(database.db, {
      username: known.username,
      upstreamId: randomUUID(),
      groupName: "fuzz",
      createdByTask: null,
    });
    await upsertDesktop(database.db, {
      desktopUuid: known.desktop,
      desktopName: "FUZZ0-00000001",
      username: known.username,
      os: "win10",
      status: "active",
    });
    const box = createSecretBox(Buffer.from(secrets.encryptionKey, "base64"));
    await addHpcAccount(database.db, {
      name: known.account,
      platformUser: "fuzzer",
      orgId: "org",
      sealedPassword: box.seal("not-a-real-password"),
    });
    return known;
  } finally {
    await database.close();
  }
}

const ROUTES = [
  { method: "POST", path: "/api/desktop/apply", body: "apply" },
  { method: "POST", path: "/api/desktop/resource-update", body: "resource" },
  { method: "POST", path: "/api/desktop/policy-update", body: "policy" },
  { method: "POST", path: "/api/user/pwd-reset", body: "pwd" },
  { method: "POST", path: "/api/desktop/delete", body: "delete" },
  { method: "POST", path: "/api/desktop/power", body: "power" },
  { method: "POST", path: "/api/desktop/rebuild", body: "rebuild" },
  { method: "POST", path: "/api/user/lock", body: "lock" },
  { method: "POST", path: "/api/user/unlock", body: "lock" },
  { method: "POST", path: "/api/user/offboard", body: "lock" },
  { method: "GET", path: "/api/user/{username}/desktops" },
  { method: "GET", path: "/api/desktop/{desktop}/volumes" },
  { method: "GET", path: "/api/tasks/{task}" },
  { method: "PUT", path: "/api/hpc/{account}/vnc" },
  { method: "GET", path: "/api/hpc/{account}/vnc" },
  { method: "DELETE", path: "/api/hpc/{account}/vnc/{session}" },
  { method: "GET", path: "/api/{junk}" },
] as const;

function caseArbitrary(known: Known): fc.Arbitrary<Case> {
  const any = fc.jsonValue({ maxDepth: 2 });
  /** A field: usually a plausible value, sometimes anything JSON can hold. */
  /** Strings that once reached PostgreSQL or the logs badly: NUL, controls, quotes, emoji. */
  const nasty = fc.constantFrom(
    "\u0000",
    "a\u0000b",
    "\u0007",
    "\t",
    "\u007f",
    "é",
    "😀",
    "' or 1=1 --",
    "%00",
  );
  const field = (plausible: fc.Arbitrary<unknown>) =>
    fc.oneof(
      { weight: 8, arbitrary: plausible },
      { weight: 2, arbitrary: any },
      { weight: 1, arbitrary: nasty },
    );
  const size = fc.oneof(
    fc.constantFrom(10 * 2 ** 30, 20 * 2 ** 30, 4, 8 * 2 ** 30),
    fc.integer(),
    fc.double(),
    fc.constant(2 ** 62),
  );
  const url = fc.oneof(
    { weight: 4, arbitrary: fc.constant(known.callbackUrl) },
    fc.webUrl(),
    fc.constantFrom("http://169.254.169.254/", "file:///etc/passwd", "http://127.1/", "", "not a url"),
  );
  const name = fc.oneof(
    fc.constant(known.username),
    fc.stringMatching(/^[a-z][a-z0-9-]{0,18}$/),
    fc.string(),
  );
  const bodies: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
    apply: fc.record(
      {
        username: field(name),
        os: field(fc.constantFrom("win10", "win7", "kylin", "macos", "dos")),
        callback_url: field(url),
      },
      { requiredKeys: [] },
    ),
    resource: fc.record(
      {
        desktop_uuid: field(fc.oneof(fc.constant(known.desktop), fc.uuid())),
        cpu: field(fc.integer({ min: -2, max: 64 })),
        memory: field(size),
        disk: field(size),
        volume_uuid: field(fc.uuid()),
        callback_url: field(url),
      },
      { requiredKeys: [] },
    ),
    policy: fc.record(
      {
        desktop_uuid: field(fc.oneof(fc.constant(known.desktop), fc.uuid())),
        "usb-enable": field(fc.boolean()),
        "data-access": field(fc.boolean()),
        callback_url: field(url),
      },
      { requiredKeys: [] },
    ),
    pwd: fc.record(
      { username: field(name), password: field(fc.oneof(fc.constant(""), fc.string({ maxLength: 40 }))) },
      { requiredKeys: [] },
    ),
    delete: fc.record(
      {
        desktop_uuid: field(fc.oneof(fc.constant(known.desktop), fc.uuid())),
        delete_user_if_last: field(fc.boolean()),
        callback_url: field(url),
      },
      { requiredKeys: [] },
    ),
    power: fc.record(
      {
        desktop_uuid: field(fc.oneof(fc.constant(known.desktop), fc.uuid())),
        action: field(fc.constantFrom("start", "stop", "reboot", "hibernate")),
        type: field(fc.constantFrom("soft", "hard", "SOFT")),
        callback_url: field(url),
      },
      { requiredKeys: [] },
    ),
    rebuild: fc.record(
      {
        desktop_uuid: field(fc.oneof(fc.constant(known.desktop), fc.uuid())),
        os: field(fc.constantFrom("win10", "win7", "kylin", "macos", "dos")),
        callback_url: field(url),
      },
      { requiredKeys: [] },
    ),
    lock: fc.record({ username: field(name), callback_url: field(url) }, { requiredKeys: [] }),
  };
  const extraKeys = fc.dictionary(fc.string({ maxLength: 10 }), any, { maxKeys: 3 });
  const param = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(known.username, known.desktop, known.account, "1") },
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.constantFrom("..", "%", "%00", "%zz", "%E0%A4%A", "a/b", "0".repeat(300)) },
    { weight: 1, arbitrary: nasty },
  );
  const printable = (max: number) => fc.string({ maxLength: max });
  const header = <T>(arb: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: arb });
  const key = `Bearer ${secrets.apiKey}`;
  const headers = fc.record({
    authorization: fc.oneof(
      { weight: 12, arbitrary: fc.constant(key) },
      fc.constantFrom(
        undefined,
        "Bearer",
        "Bearer dg_wrong",
        "Basic YTpi",
        key.toLowerCase(),
        `${key} extra`,
      ),
      printable(60),
    ),
    "x-api-key": header(fc.oneof(fc.constant(secrets.apiKey), printable(60))),
    "content-type": fc.oneof(
      { weight: 10, arbitrary: fc.constant("application/json") },
      fc.constantFrom(
        "application/json; charset=utf-8",
        "text/plain",
        "",
        undefined,
        "application/x-www-form-urlencoded",
        "APPLICATION/JSON",
      ),
      printable(30),
    ),
    "idempotency-key": header(fc.oneof(fc.uuid(), printable(300), fc.constantFrom('"quoted"', "", " "))),
    "accept-language": header(fc.oneof(fc.constantFrom("zh-CN", "en", "zh-CN,zh;q=0.9", "*"), printable(20))),
    "x-request-id": header(printable(300)),
  });
  return fc
    .record({
      route: fc.constantFrom(...ROUTES),
      otherMethod: fc.oneof(
        { weight: 19, arbitrary: fc.constant(null) },
        fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"),
      ),
      params: fc.array(fc.tuple(param, fc.boolean()), { minLength: 2, maxLength: 2 }),
      body: fc.oneof(
        { weight: 12, arbitrary: fc.constant("fields") },
        fc.constantFrom("json", "garbage", "truncated", "empty", "huge", "deep"),
      ),
      fields: fc.oneof(...Object.values(bodies)),
      extra: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, extraKeys),
      anyJson: any,
      garbage: fc.string({ unit: "grapheme", maxLength: 200 }),
      headers,
    })
    .map((r): Case => {
      const method = r.otherMethod ?? r.route.method;
      let i = 0;
      const path = r.route.path.replace(/\{[a-z]+\}/g, (slot) => {
        const [value, raw] = r.params[i++ % 2]!;
        const v = slot === "{task}" && value === "1" ? randomUUID() : String(value);
        return raw ? v.replace(/[^\x21-\x7e]|[?#]/gu, (ch) => encodeURIComponent(ch)) : encodeURIComponent(v);
      });
      const fields = "body" in r.route ? { ...r.fields, ...r.extra } : r.extra;
      const json = JSON.stringify(fields);
      const body = {
        fields: json,
        json: JSON.stringify(r.anyJson),
        garbage: r.garbage,
        truncated: json.slice(0, Math.max(1, Math.floor(json.length / 2))),
        empty: "",
        huge: JSON.stringify({ ...fields, pad: "x".repeat(70_000) }),
        deep: `${"[".repeat(5000)}${"]".repeat(5000)}`,
      }[r.body]!;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers[k] = v;
      return { method, path, headers, body: method === "GET" ? undefined : body };
    });
}

/**
 * The inputs that answered 500 in the attack run (issue 17.7), sent as given: each must answer
 * below 500 (the /api ones in their envelope, counted in `tally`; /ops ones are HTML pages).
 */
async function hostileCases(base: string, tally: Tally, accepted: Set<string>) {
  const result = { cases: 0, enveloped: 0, fiveXx: 0, samples: [] as string[] };
  const deep = `{"username":${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
  const auth = { authorization: `Bearer ${secrets.apiKey}` };
  for (const route of ROUTES.filter((r) => r.method === "POST")) {
    const answer = await call(tally, base, "POST", route.path, {
      headers: { ...auth, "content-type": "application/json", "idempotency-key": `deep-${route.path}` },
      body: deep,
    });
    result.cases++;
    result.enveloped++;
    if (answer.status >= 500 || answer.status === 0)
      result.samples.push(`deep ${route.path} → ${answer.status}`);
    if (answer.json?.data?.task_id) accepted.add(answer.json.data.task_id);
  }
  for (const path of [`/api/tasks/${"-".repeat(36)}`, `/api/desktop/${"-".repeat(36)}/volumes`]) {
    const answer = await call(tally, base, "GET", path, { headers: auth });
    result.cases++;
    result.enveloped++;
    if (answer.status >= 500 || answer.status === 0) result.samples.push(`GET ${path} → ${answer.status}`);
  }
  // /ops: a session, then a search of 36 dashes and login `next`s with CR/LF
  const login = await request(`${base}/ops/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ api_key: secrets.apiKey, next: "/ops" }).toString(),
  });
  await login.body.dump();
  const cookie = String(login.headers["set-cookie"] ?? "").split(";")[0] ?? "";
  const pages: [string, string, string?][] = [
    ["GET", `/ops?q=${"-".repeat(36)}`],
    ["GET", `/ops?q=${encodeURIComponent("\u0000")}`],
    ["GET", `/ops/login?next=${encodeURIComponent("/ops\r\nSet-Cookie: x=1")}`],
    ["POST", "/ops/login", new URLSearchParams({ api_key: secrets.apiKey, next: "/ops\r\nX: y" }).toString()],
    ["GET", `/ops/tasks/${"-".repeat(36)}`],
  ];
  for (const [method, path, body] of pages) {
    const res = await request(`${base}${path}`, {
      method: method as "GET",
      headers: { cookie, ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
      body,
    });
    await res.body.dump();
    result.cases++;
    if (res.statusCode >= 500) result.samples.push(`${method} ${path} → ${res.statusCode}`);
  }
  result.fiveXx = result.samples.length;
  return result;
}

/** tRPC's answers: `{result}` or `{error: {message, code, data: {code, httpStatus}}}`. */
class TrpcTally {
  answers = 0;
  fiveXx = 0;
  malformed = 0;
  leaks = 0;
  samples: string[] = [];
  note(problem: string) {
    if (this.samples.length < 5) this.samples.push(problem.slice(0, 300));
  }
}

interface TrpcCase {
  procedure: string;
  type: "query" | "mutation";
  input: string | undefined;
  headers: Record<string, string>;
}

const trpcAgent = new Agent({ connections: 32 });

/** One tRPC call over its HTTP form; returns the task id of an accepted mutation. */
async function trpcCall(tally: TrpcTally, base: string, c: TrpcCase): Promise<string | undefined> {
  const url =
    c.type === "query"
      ? `${base}/trpc/${c.procedure}${c.input === undefined ? "" : `?input=${encodeURIComponent(c.input)}`}`
      : `${base}/trpc/${c.procedure}`;
  try {
    const res = await request(url, {
      method: c.type === "query" ? "GET" : "POST",
      dispatcher: trpcAgent,
      headers: { ...c.headers, ...(c.type === "mutation" ? { "content-type": "application/json" } : {}) },
      body: c.type === "mutation" ? c.input : undefined,
    });
    const text = await res.body.text();
    tally.answers++;
    if (res.statusCode >= 500) {
      tally.fiveXx++;
      tally.note(`${c.procedure} ${c.input?.slice(0, 80)} → ${res.statusCode} ${text}`);
    }
    // biome-ignore lint/suspicious/noExplicitAny: the answer's shape is what is checked
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {}
    // 431: Node refuses a request head over 16 KiB (a query's input is in the URL) before deskgate
    const wellFormed =
      res.statusCode === 431 ||
      (json !== null &&
        typeof json === "object" &&
        ("result" in json ||
          (typeof json.error?.message === "string" && typeof json.error?.data?.code === "string")));
    if (!wellFormed) {
      tally.malformed++;
      tally.note(`${c.procedure} → ${res.statusCode} not tRPC's JSON: ${text}`);
    }
    if (
      json?.error &&
      (json.error.data?.stack !== undefined ||
        /\bselect\b|insert into|\bat .*\.ts:\d+/i.test(json.error.message))
    ) {
      tally.leaks++;
      tally.note(`${c.procedure} → leak: ${text}`);
    }
    const taskId = json?.result?.data?.task_id;
    if (typeof taskId === "string") return taskId;
    // a list not ready within the bound (TIMEOUT) names its task
    const pending =
      json?.error?.data?.code === "TIMEOUT" ? /task ([0-9a-f-]{36})/.exec(json.error.message) : null;
    return pending?.[1];
  } catch (error) {
    tally.note(`${c.procedure} → ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

function trpcArbitrary(known: Known): fc.Arbitrary<TrpcCase> {
  const nasty = fc.constantFrom(
    "\u0000",
    "a\u0000b",
    "../../ac/openapi",
    "%00",
    "😀",
    "' or 1=1 --",
    "-".repeat(36),
  );
  const text = fc.oneof(fc.string({ maxLength: 40 }), nasty);
  const id = fc.oneof(fc.constant(known.desktop), fc.uuid(), text);
  const user = fc.oneof(fc.constant(known.username), text);
  const url = fc.oneof(fc.constant(known.callbackUrl), fc.constantFrom("http://169.254.169.254/", "x"), text);
  const any = fc.jsonValue({ maxDepth: 3 });
  const field = <T>(a: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 6, arbitrary: a }, { weight: 1, arbitrary: any });
  const procedures: [string, "query" | "mutation", fc.Arbitrary<Record<string, unknown>>][] = [
    [
      "desktop.open",
      "mutation",
      fc.record(
        { username: field(user), os: field(fc.constantFrom("win10", "dos")), callback_url: field(url) },
        { requiredKeys: [] },
      ),
    ],
    [
      "desktop.resourceUpdate",
      "mutation",
      fc.record(
        {
          desktop_uuid: field(id),
          cpu: field(fc.integer()),
          disk: field(fc.integer()),
          callback_url: field(url),
        },
        { requiredKeys: [] },
      ),
    ],
    [
      "desktop.policyUpdate",
      "mutation",
      fc.record({ desktop_uuid: field(id), "usb-enable": field(fc.boolean()) }, { requiredKeys: [] }),
    ],
    [
      "desktop.delete",
      "mutation",
      fc.record({ desktop_uuid: field(id), callback_url: field(url) }, { requiredKeys: [] }),
    ],
    [
      "desktop.lease",
      "mutation",
      fc.record(
        {
          desktop_uuid: field(id),
          expires_at: field(
            fc.oneof(
              fc.date().map((d) => (Number.isNaN(d.getTime()) ? "x" : d.toISOString())),
              text,
            ),
          ),
          callback_url: field(url),
        },
        { requiredKeys: [] },
      ),
    ],
    [
      "desktop.power",
      "mutation",
      fc.record(
        {
          desktop_uuid: field(id),
          action: field(fc.constantFrom("start", "stop", "reboot", "x")),
          callback_url: field(url),
        },
        { requiredKeys: [] },
      ),
    ],
    [
      "desktop.rebuild",
      "mutation",
      fc.record({ desktop_uuid: field(id), callback_url: field(url) }, { requiredKeys: [] }),
    ],
    ["desktop.volumes", "query", fc.record({ desktop_uuid: field(id) }, { requiredKeys: [] })],
    [
      "user.pwdReset",
      "mutation",
      fc.record(
        { username: field(user), password: field(fc.string({ maxLength: 30 })) },
        { requiredKeys: [] },
      ),
    ],
    ["user.lock", "mutation", fc.record({ username: field(user) }, { requiredKeys: [] })],
    ["user.unlock", "mutation", fc.record({ username: field(user) }, { requiredKeys: [] })],
    [
      "user.offboard",
      "mutation",
      fc.record({ username: field(user), callback_url: field(url) }, { requiredKeys: [] }),
    ],
    ["user.desktops", "query", fc.record({ username: field(user) }, { requiredKeys: [] })],
    [
      "hpc.vncOpen",
      "mutation",
      fc.record({ account: field(fc.oneof(fc.constant(known.account), text)) }, { requiredKeys: [] }),
    ],
    [
      "hpc.vncList",
      "query",
      fc.record({ account: field(fc.oneof(fc.constant(known.account), text)) }, { requiredKeys: [] }),
    ],
    [
      "hpc.vncClose",
      "mutation",
      fc.record(
        { account: field(fc.oneof(fc.constant(known.account), text)), sessionId: field(text) },
        { requiredKeys: [] },
      ),
    ],
    ["tasks.get", "query", fc.record({ task_id: field(fc.oneof(fc.uuid(), text)) }, { requiredKeys: [] })],
    ["nothing.here", "query", fc.constant({})],
  ];
  const key = `Bearer ${secrets.apiKey}`;
  return fc
    .record({
      p: fc.constantFrom(...procedures),
      n: fc.nat(),
      idem: fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        fc.uuid(),
        fc.string({ maxLength: 300 }),
        fc.constant(""),
      ),
      form: fc.oneof(
        { weight: 10, arbitrary: fc.constant("input") },
        fc.constantFrom("garbage", "array", "none", "deep"),
      ),
      garbage: fc.string({ maxLength: 100 }),
      auth: fc.oneof(
        { weight: 10, arbitrary: fc.constant(key) },
        fc.constantFrom("Bearer dg_wrong", "", "Basic x"),
      ),
    })
    .chain((r) =>
      r.p[2].map((input): TrpcCase => {
        const withKey =
          r.idem === undefined || r.p[1] === "query" ? input : { ...input, idempotencyKey: r.idem };
        const body = {
          input: JSON.stringify(withKey),
          garbage: r.garbage,
          array: JSON.stringify([withKey]),
          none: undefined,
          deep: `${"[".repeat(5000)}${"]".repeat(5000)}`,
        }[r.form];
        return {
          procedure: r.p[0],
          type: r.p[1],
          input: body,
          headers: r.auth ? { authorization: r.auth } : {},
        };
      }),
    );
}

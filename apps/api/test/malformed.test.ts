import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REQUEST_EXAMPLES } from "../src/openapi/examples.ts";
import { seedMirror } from "./support/seed.ts";
import { type Stack, startStack } from "./support/stack.ts";

/**
 * At least 50 malformed bodies per POST route: each → a 4xx envelope naming the problem, and
 * not one task row or pg-boss job written.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false, syncTimeoutMs: 100 });
  await seedMirror(stack);
});
afterAll(async () => {
  await stack?.stop();
});

type Kind = "username" | "os" | "url" | "optionalUrl" | "id" | "int" | "bool" | "password";
interface Case {
  name: string;
  /** A raw body (string), or an object to send as JSON. */
  body: unknown;
  headers?: Record<string, string>;
  status: number;
  /** The field the message must name. */
  field?: string;
}

const BAD: Record<Kind, [string, unknown][]> = {
  username: [
    ["null", null],
    ["a number", 1],
    ["a boolean", true],
    ["an object", {}],
    ["an array", ["a"]],
    ["empty", ""],
    ["a space", "a b"],
    ["33 characters", "x".repeat(33)],
    ["leading _", "_x"],
    ["trailing .", "x."],
    ["non-ASCII", "名字"],
    ["a NUL", "a\u0000b"],
    ["a slash", "a/b"],
    ["path traversal", "../etc"],
    ["leading space", " x"],
    ["a tab", "a\tb"],
    ["leading -", "-x"],
    ["percent-encoded", "a%20b"],
  ],
  os: [
    ["null", null],
    ["a number", 10],
    ["empty", ""],
    ["unknown", "win11"],
    ["upper case", "WIN10"],
    ["an array", ["win10"]],
    ["an object", {}],
  ],
  url: [
    ["null", null],
    ["a number", 1],
    ["empty", ""],
    ["not a URL", "not a url"],
    ["ftp", "ftp://example.com/x"],
    ["javascript", "javascript:alert(1)"],
    ["file", "file:///etc/passwd"],
    ["private 10/8", "http://10.0.0.1/cb"],
    ["cloud metadata", "http://169.254.169.254/latest/meta-data/"],
    ["IPv6 loopback", "http://[::1]/"],
    ["credentials in URL", "http://user:pass@example.com/"],
    ["3000 characters", `https://example.com/${"x".repeat(3000)}`],
    ["a NUL in the path", "https://example.com/a\u0000b"],
  ],
  optionalUrl: [],
  id: [
    ["null", null],
    ["a number", 1],
    ["empty", ""],
    ["65 characters", "x".repeat(65)],
    ["an object", {}],
    ["an array", []],
    // PostgreSQL text cannot hold NUL: these reached a query and answered 500 (pnpm drills, fuzz).
    ["a NUL", "a\u0000b"],
    ["a control character", "a\u0007b"],
  ],
  int: [
    ["null", null],
    ["a string", "4"],
    ["a fraction", 4.5],
    ["zero", 0],
    ["negative", -1],
    ["a boolean", true],
    ["an array", [4]],
    ["an object", {}],
    ["beyond safe integers", 1e300],
  ],
  bool: [
    ["null", null],
    ["a string", "true"],
    ["one", 1],
    ["zero", 0],
    ["yes", "yes"],
    ["an array", [true]],
    ["an object", {}],
  ],
  password: [
    ["null", null],
    ["a number", 1],
    ["33 characters", "x".repeat(33)],
    ["an object", {}],
    ["an array", []],
    ["a boolean", false],
    ["1000 characters", "p".repeat(1000)],
  ],
};
BAD.optionalUrl = BAD.url.filter(([name]) => name !== "null");

/** Framework-level and shape failures, the same for every POST route. */
function genericCases(valid: Record<string, unknown>): Case[] {
  const json = JSON.stringify(valid);
  return [
    { name: "an empty body", body: "", status: 400 },
    { name: "only whitespace", body: "  \n ", status: 400 },
    { name: "an open brace", body: "{", status: 400 },
    { name: "a close brace", body: "}", status: 400 },
    { name: "truncated JSON", body: json.slice(0, -1), status: 400 },
    { name: "a trailing comma", body: `${json.slice(0, -1)},}`, status: 400 },
    { name: "single quotes", body: json.replaceAll('"', "'"), status: 400 },
    { name: "NaN", body: '{"x":NaN}', status: 400 },
    { name: "a comment", body: `/* c */${json}`, status: 400 },
    { name: "two documents", body: `${json}${json}`, status: 400 },
    { name: "JSON null", body: "null", status: 400 },
    { name: "JSON true", body: "true", status: 400 },
    { name: "a number", body: "42", status: 400 },
    { name: "a string", body: '"body"', status: 400 },
    { name: "an empty array", body: "[]", status: 400 },
    { name: "the body in an array", body: `[${json}]`, status: 400 },
    { name: "an empty object", body: "{}", status: 400 },
    { name: "the fields nested", body: { request: valid }, status: 400 },
    { name: "XML", body: "<apply/>", status: 400 },
    { name: "a NUL byte", body: "\u0000", status: 400 },
    {
      name: "a form body",
      body: "a=b",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      status: 415,
    },
    { name: "text/plain", body: json, headers: { "content-type": "text/plain" }, status: 415 },
    {
      name: "multipart",
      body: json,
      headers: { "content-type": "multipart/form-data; boundary=x" },
      status: 415,
    },
    { name: "71 KB", body: { ...valid, padding: "x".repeat(71_000) }, status: 413 },
    {
      name: "a malformed Idempotency-Key (empty)",
      body: valid,
      headers: { "idempotency-key": "" },
      status: 400,
    },
    {
      name: "an Idempotency-Key of 256 characters",
      body: valid,
      headers: { "idempotency-key": "k".repeat(256) },
      status: 400,
    },
  ];
}

function fieldCases(
  valid: Record<string, unknown>,
  fields: Record<string, Kind>,
  required: string[],
): Case[] {
  const cases: Case[] = [];
  for (const [field, kind] of Object.entries(fields)) {
    for (const [label, value] of BAD[kind]) {
      cases.push({ name: `${field}: ${label}`, body: { ...valid, [field]: value }, status: 400, field });
    }
  }
  for (const field of required) {
    const { [field]: _, ...rest } = valid;
    cases.push({ name: `${field} missing`, body: rest, status: 400, field });
  }
  return cases;
}

const desktopUuid = "5f0e9b8a-2c1d-4e3f-9a7b-6c5d4e3f2a1b";
const routes: Record<string, Case[]> = {
  "/api/desktop/apply": (() => {
    const valid = { ...REQUEST_EXAMPLES["/api/desktop/apply"] };
    return [
      ...genericCases(valid),
      ...fieldCases(valid, { username: "username", os: "os", callback_url: "url" }, [
        "username",
        "os",
        "callback_url",
      ]),
    ];
  })(),
  "/api/desktop/resource-update": (() => {
    const valid = { ...REQUEST_EXAMPLES["/api/desktop/resource-update"], desktop_uuid: desktopUuid };
    return [
      ...genericCases(valid),
      ...fieldCases(
        valid,
        { desktop_uuid: "id", cpu: "int", memory: "int", disk: "int", callback_url: "url" },
        ["desktop_uuid", "callback_url"],
      ),
      {
        name: "none of cpu, memory, disk",
        body: { desktop_uuid: desktopUuid, callback_url: valid.callback_url },
        status: 400,
        field: "cpu",
      },
      {
        name: "volume_uuid without disk",
        body: { desktop_uuid: desktopUuid, cpu: 4, volume_uuid: "v", callback_url: valid.callback_url },
        status: 400,
        field: "volume_uuid",
      },
      { name: "volume_uuid empty", body: { ...valid, volume_uuid: "" }, status: 400, field: "volume_uuid" },
      { name: "volume_uuid a number", body: { ...valid, volume_uuid: 7 }, status: 400, field: "volume_uuid" },
      { name: "an unknown desktop", body: { ...valid, desktop_uuid: "nope" }, status: 404 },
      {
        name: "disk beyond 32760 GB",
        body: { ...valid, disk: 32761 * 1024 ** 3 },
        status: 400,
        field: "disk",
      },
    ];
  })(),
  "/api/desktop/policy-update": (() => {
    const valid = { ...REQUEST_EXAMPLES["/api/desktop/policy-update"], desktop_uuid: desktopUuid };
    return [
      ...genericCases(valid),
      ...fieldCases(
        valid,
        { desktop_uuid: "id", "usb-enable": "bool", "data-access": "bool", callback_url: "optionalUrl" },
        ["desktop_uuid"],
      ),
      {
        name: "neither usb-enable nor data-access",
        body: { desktop_uuid: desktopUuid },
        status: 400,
        field: "usb-enable",
      },
      {
        name: "underscored keys instead of hyphenated",
        body: { desktop_uuid: desktopUuid, usb_enable: true, data_access: true },
        status: 400,
        field: "usb-enable",
      },
      { name: "an unknown desktop", body: { ...valid, desktop_uuid: "nope" }, status: 404 },
    ];
  })(),
  "/api/user/pwd-reset": (() => {
    const valid = { ...REQUEST_EXAMPLES["/api/user/pwd-reset"] };
    return [
      ...genericCases(valid),
      ...fieldCases(valid, { username: "username", password: "password" }, ["username", "password"]),
    ];
  })(),
};

for (const [path, cases] of Object.entries(routes)) {
  describe(`POST ${path}: malformed bodies`, () => {
    it("has at least 50 cases", () => {
      expect(cases.length).toBeGreaterThanOrEqual(50);
    });
    it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
      const res = await stack.call("POST", path, {
        body: typeof c.body === "string" ? c.body : JSON.stringify(c.body),
        headers: { "content-type": "application/json", ...c.headers },
      });
      const envelope = (await res.json()) as { data: unknown; message: string; status: string };
      expect(res.status).toBe(c.status);
      expect(Object.keys(envelope)).toEqual(["data", "message", "status"]);
      expect(envelope).toMatchObject({ data: {}, status: "-1" });
      expect(envelope.message.length).toBeGreaterThan(0);
      if (c.field) expect(envelope.message).toContain(c.field);
    });
  });
}

describe("path parameters with a NUL (found by pnpm drills, fuzz: 500 before)", () => {
  it.each([
    ["GET", "/api/desktop/%00/volumes"],
    ["GET", "/api/desktop/a%00b/volumes"],
    ["GET", "/api/user/%00/desktops"],
    ["GET", "/api/tasks/%00"],
    ["GET", "/api/hpc/%00/vnc"],
    ["DELETE", "/api/hpc/lab/vnc/%00"],
  ])("%s %s → 400 envelope", async (method, path) => {
    const res = await stack.call(method, path);
    expect(res.status).toBe(400);
    const envelope = (await res.json()) as { message: string };
    expect(envelope.message.length).toBeGreaterThan(0);
  });
});

describe("nothing written", () => {
  it("not one task row nor one job for all of the above", async () => {
    expect(await stack.counts()).toEqual({ tasks: 0, jobs: 0 });
    const [idem] = await stack.database.sql`select count(*)::int as n from idempotency_keys`;
    expect(idem!.n).toBe(0);
  });

  it("while the valid bodies are accepted (so each case failed for its own reason)", async () => {
    for (const [path, body] of Object.entries(REQUEST_EXAMPLES)) {
      const res = await stack.post(path, body);
      expect([200, 202], `${path}: ${res.status}`).toContain(res.status);
    }
    // Every example is a task-creating POST: one task each.
    expect((await stack.counts()).tasks).toBe(Object.keys(REQUEST_EXAMPLES).length);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack } from "./support/stack.ts";

type Envelope = { data: unknown; message: string; status: string | number };
const json = async (res: Response): Promise<Envelope> => (await res.json()) as Envelope;

let stack: Awaited<ReturnType<typeof startStack>>;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const valid = { username: "delta", os: "win10", callback_url: "http://127.0.0.1:9/cb" };

const cases: [string, unknown, RegExp][] = [
  ["missing username", { os: "win10", callback_url: valid.callback_url }, /^username: is required$/],
  ["missing os", { username: "delta", callback_url: valid.callback_url }, /^os: is required$/],
  ["missing callback_url", { username: "delta", os: "win10" }, /^callback_url: is required$/],
  ["wrong os", { ...valid, os: "win11" }, /^os: must be one of win7, win10, kylin, macos$/],
  ["os of the wrong type", { ...valid, os: 10 }, /^os: must be one of/],
  ["username not a string", { ...valid, username: 42 }, /^username: must be a string$/],
  ["empty username", { ...valid, username: "" }, /^username: must not be empty$/],
  ["username with spaces", { ...valid, username: "a b" }, /^username: may contain only/],
  [
    "callback_url not a URL",
    { ...valid, callback_url: "not a url" },
    /^callback_url: must be an absolute http or https URL$/,
  ],
  [
    "callback_url with another scheme",
    { ...valid, callback_url: "ftp://example.com/x" },
    /^callback_url: must be an absolute/,
  ],
  [
    "callback_url to cloud metadata",
    { ...valid, callback_url: "http://169.254.169.254/latest/meta-data/" },
    /^callback_url: /,
  ],
  ["callback_url to a private address", { ...valid, callback_url: "http://10.0.0.1/cb" }, /^callback_url: /],
  [
    "several bad fields",
    { username: "", os: "dos" },
    /^username: must not be empty; os: must be one of .*; callback_url: is required$/,
  ],
  ["a JSON array", [valid], /^The request body must be a JSON object$/],
  ["JSON null", null, /^The request body must be a JSON object$/],
];

describe("POST /api/desktop/apply rejects bad input with a 400 envelope and queues nothing", () => {
  it.each(cases)("%s", async (_name, body, message) => {
    const res = await stack.post("/api/desktop/apply", JSON.stringify(body));
    expect(res.status).toBe(400);
    const envelope = await json(res);
    expect(envelope).toEqual({ data: {}, message: expect.stringMatching(message), status: "-1" });
  });

  it("invalid JSON", async () => {
    const res = await stack.post("/api/desktop/apply", '{"username": "x",');
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      data: {},
      message: "The request body is not valid JSON",
      status: "-1",
    });
  });

  it("an empty body", async () => {
    const res = await stack.post("/api/desktop/apply", "");
    expect(res.status).toBe(400);
    expect((await json(res)).status).toBe("-1");
  });

  it("a wrong content type", async () => {
    const res = await stack.post("/api/desktop/apply", "username=x", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(res.status).toBe(415);
    expect((await json(res)).status).toBe("-1");
  });

  it("messages in Chinese with Accept-Language: zh-CN", async () => {
    const res = await stack.post("/api/desktop/apply", "{", { "accept-language": "zh-CN,zh;q=0.9" });
    expect(await json(res)).toEqual({ data: {}, message: "请求体不是合法的 JSON", status: "-1" });
  });

  it("an oversized body → 413 envelope", async () => {
    const res = await stack.post("/api/desktop/apply", { ...valid, padding: "x".repeat(70_000) });
    expect(res.status).toBe(413);
    expect((await json(res)).status).toBe("-1");
  });

  it("an unknown route → 404 envelope", async () => {
    const res = await fetch(`${stack.apiUrl}/api/nope`);
    expect(res.status).toBe(404);
    expect(await json(res)).toMatchObject({ data: [], status: -1 });
  });

  it("wrote no task and queued no job for any of them", async () => {
    const count = async (query: Promise<{ n: number }[]>) => (await query)[0]!.n;
    const tasks = await count(stack.database.sql`select count(*)::int as n from tasks`);
    const jobs = await count(
      stack.database.sql`select count(*)::int as n from pgboss.job where name = 'desktop.apply'`,
    );
    expect({ tasks, jobs }).toEqual({ tasks: 0, jobs: 0 });
  });

  it("still accepts a valid body (so the cases above fail for their own reason)", async () => {
    const res = await stack.post("/api/desktop/apply", { ...valid, extra_field: "ignored" });
    expect(res.status).toBe(200);
    expect((await json(res)).status).toBe("0");
  });
});

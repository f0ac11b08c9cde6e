import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./support/stack.ts";

const lines: Record<string, unknown>[] = [];
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    worker: false,
    syncTimeoutMs: 100,
    apiLog: { write: (line) => lines.push(JSON.parse(line)) },
  });
});
afterAll(async () => {
  await stack?.stop();
});

describe("request logs", () => {
  it("bind the request id and the key's name, never the key", async () => {
    const res = await stack.call("POST", "/api/user/pwd-reset", {
      body: { username: "x", password: "Secret-Pass-77" },
      headers: { "x-request-id": "log-req-1", "x-api-key": stack.keys.desktop },
      key: null,
    });
    await res.text();
    const line = lines.find((l) => l.request_id === "log-req-1");
    expect(line).toMatchObject({
      msg: "request",
      key_name: "test-desktop",
      method: "POST",
      path: "/api/user/pwd-reset",
      level: "info",
    });
    const all = JSON.stringify(lines);
    expect(all).not.toContain(stack.keys.desktop);
    expect(all).not.toContain("Secret-Pass-77");
  });
});

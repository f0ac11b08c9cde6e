import { createTRPCClient, httpLink } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../src/trpc/router.ts";
import { startReceiver } from "./support/receiver.ts";
import { type Stack, startStack } from "./support/stack.ts";

/**
 * Logs that connect (issue 16.5): the X-Request-Id of the accepting request is stored on the
 * task, is on every worker log line of that task, and comes back in the callback's
 * `x-request-id` header; tRPC request lines name the key; a failed task and a refused callback
 * are `warn`. Real api, worker, PostgreSQL and simulator.
 */
let stack: Stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const apiLines: Record<string, unknown>[] = [];
const workerLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  [stack, receiver] = await Promise.all([
    startStack({
      apiLog: { write: (l) => apiLines.push(JSON.parse(l)) },
      workerLog: { write: (l) => workerLines.push(JSON.parse(l)) },
    }),
    startReceiver(),
  ]);
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

async function callbackFor(taskId: string) {
  for (let n = 1; ; n++) {
    await receiver.waitFor(n);
    const found = receiver.received.find((r) => r.body.data.task_id === taskId);
    if (found) return found;
  }
}

const linesOf = (taskId: string) => workerLines.filter((l) => l.task_id === taskId);

describe("the request id follows the task", () => {
  it("stored on the task, on every worker line of it, and in the callback's headers", async () => {
    const res = await stack.post(
      "/api/desktop/apply",
      { username: "reqid", os: "win10", callback_url: receiver.url },
      { "x-request-id": "erp-req-4711" },
    );
    const { task_id } = ((await res.json()) as { data: { task_id: string } }).data;
    const callback = await callbackFor(task_id);
    expect(callback.headers["x-request-id"]).toBe("erp-req-4711");
    const [row] = await stack.database.sql<{ request_id: string }[]>`
      select request_id from tasks where id = ${task_id}`;
    expect(row?.request_id).toBe("erp-req-4711");
    await new Promise((r) => setTimeout(r, 100)); // the delivery's line follows its commit
    const lines = linesOf(task_id);
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(["task succeeded", "callback attempt"]));
    for (const line of lines) expect(line.request_id, JSON.stringify(line)).toBe("erp-req-4711");
  });

  it("a generated request id is used when the caller sends none", async () => {
    const res = await stack.post("/api/desktop/apply", {
      username: "reqid",
      os: "win10",
      callback_url: receiver.url,
    });
    const generated = res.headers.get("x-request-id");
    const { task_id } = ((await res.json()) as { data: { task_id: string } }).data;
    expect((await callbackFor(task_id)).headers["x-request-id"]).toBe(generated);
  });

  it("tRPC: the task made by a call carries the request id; the request line names the key", async () => {
    const trpc = createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: `${stack.apiUrl}/trpc`,
          headers: { authorization: `Bearer ${stack.keys.desktop}`, "x-request-id": "trpc-req-9" },
        }),
      ],
    });
    const { task_id } = await trpc.desktop.open.mutate({
      username: "reqtrpc",
      os: "win10",
      callback_url: receiver.url,
    });
    expect((await callbackFor(task_id)).headers["x-request-id"]).toBe("trpc-req-9");
    const line = apiLines.find((l) => l.request_id === "trpc-req-9" && l.msg === "request");
    expect(line).toMatchObject({ key_name: "test-desktop", path: "/trpc/desktop.open" });
  });

  it("a failed task and a refused callback are logged at warn", async () => {
    // a desktop deskgate knows but the platform never had: the task fails in the worker
    await stack.database
      .sql`insert into vdi_users (username, upstream_id, tenant) values ('ghost_01', 'u-g', null)`;
    await stack.database.sql`insert into desktops (desktop_uuid, desktop_name, username, os, status)
      values ('ghost-desk', 'ghost', 'ghost_01', 'win10', 'ACTIVE')`;
    const refuser = await startReceiver(() => 503);
    const refusing = refuser.url;
    const res = await stack.post(
      "/api/desktop/policy-update",
      { desktop_uuid: "ghost-desk", "usb-enable": true, callback_url: refusing },
      { "x-request-id": "warn-req-1" },
    );
    const { task_id } = ((await res.json()) as { data: { task_id: string } }).data;
    for (let i = 0; i < 100 && !linesOf(task_id).some((l) => l.msg === "callback attempt"); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const failed = linesOf(task_id).find((l) => l.msg === "task failed");
    expect(failed).toMatchObject({ level: "warn", request_id: "warn-req-1" });
    const attempt = linesOf(task_id).find((l) => l.msg === "callback attempt");
    expect(attempt).toMatchObject({ level: "warn", request_id: "warn-req-1", status: 503 });
    await refuser.close();
  });
});

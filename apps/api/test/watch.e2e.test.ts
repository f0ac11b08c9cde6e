import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver } from "./support/receiver.ts";
import { type Stack, startStack } from "./support/stack.ts";

/**
 * tRPC `tasks.watch` over its real SSE stream: the views it emits as a task runs, and its end —
 * once the task is terminal and its callback settled, so the last view carries the callback's
 * final delivery state, not `pending` (issue 16.2). Real PostgreSQL, worker and simulator.
 */
let stack: Stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  [stack, receiver] = await Promise.all([startStack(), startReceiver()]);
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

interface View {
  state: string;
  callbacks: { state: string; attempts: unknown[] }[];
}

/** Every task view of the watch, read until the server ends the stream. */
async function watchToEnd(taskId: string): Promise<View[]> {
  const input = encodeURIComponent(JSON.stringify({ task_id: taskId }));
  const res = await fetch(`${stack.apiUrl}/trpc/tasks.watch?input=${input}`, {
    headers: { authorization: `Bearer ${stack.keys.admin}`, accept: "text/event-stream" },
    signal: AbortSignal.timeout(60_000),
  });
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const text = await res.text(); // resolves only when the server closes the stream
  const views: View[] = [];
  for (const event of text.split("\n\n")) {
    if (!/^(id: .*\n)?data: /m.test(event) || /^event: /m.test(event)) continue;
    const data = event.match(/^data: (.*)$/m)?.[1];
    if (data) views.push(JSON.parse(data) as View);
  }
  return views;
}

describe("tasks.watch", () => {
  it("emits the task's views and ends by itself with the callback delivered", async () => {
    const res = await stack.post("/api/desktop/apply", {
      username: "watch",
      os: "win10",
      callback_url: receiver.url,
    });
    const { task_id } = ((await res.json()) as { data: { task_id: string } }).data;
    const views = await watchToEnd(task_id);
    expect(views.length).toBeGreaterThanOrEqual(1);
    const last = views.at(-1)!;
    expect(last.state).toBe("succeeded");
    expect(last.callbacks).toHaveLength(1);
    expect(last.callbacks[0]!.state).toBe("delivered");
    expect(last.callbacks[0]!.attempts).toHaveLength(1);
    // no two views alike: each emission is a change
    expect(new Set(views.map((v) => JSON.stringify(v))).size).toBe(views.length);
  });

  it("a task with no callback ends with its terminal view", async () => {
    const res = await stack.post("/api/desktop/policy-update", { desktop_uuid: "nope", "usb-enable": true });
    expect(res.status).toBe(404); // refused at once: nothing to watch
    const opened = await stack.call("PUT", "/api/hpc/lab/vnc");
    const { task_id } = ((await opened.json()) as { data: { task_id: string } }).data;
    const views = await watchToEnd(task_id);
    expect(views.at(-1)).toMatchObject({ state: "succeeded", callbacks: [] });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "./support/eventually.ts";
import { type Received, startReceiver } from "./support/receiver.ts";
import { type Stack, startStack } from "./support/stack.ts";

/**
 * One task at a time changes a desktop (issue 17.5, found by an attack run: three concurrent
 * identical `resource-update disk=10 GiB`, no Idempotency-Key, on a desktop without a data
 * disk made two disks). The tasks queue behind the desktop's lock, so each plans after the
 * one before it ended and sees its disk.
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

const callbackOf = (taskId: string) =>
  eventually(async () => receiver.received.find((r: Received) => r.body.data.task_id === taskId));

describe("tasks that change one desktop run one at a time", () => {
  it("10 concurrent identical resource-updates (disk 10 GiB) on a desktop with no data disk: exactly one disk", async () => {
    const ack = (await (
      await stack.post("/api/desktop/apply", { username: "serial", os: "win10", callback_url: receiver.url })
    ).json()) as { data: { task_id: string } };
    const desktop = (await callbackOf(ack.data.task_id)).body.data as { desktop_uuid: string };

    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        stack.post("/api/desktop/resource-update", {
          desktop_uuid: desktop.desktop_uuid,
          disk: 10 * 1024 ** 3,
          callback_url: receiver.url,
        }),
      ),
    );
    const ids: string[] = [];
    for (const res of answers) {
      expect(res.status).toBe(200);
      ids.push(((await res.json()) as { data: { task_id: string } }).data.task_id);
    }
    expect(new Set(ids).size).toBe(10);
    const callbacks = [];
    for (const id of ids) callbacks.push(await eventually(() => callbackOf(id), 60_000));
    expect(callbacks.map((c) => c.body.status)).toEqual(Array(10).fill("0"));

    const state = (await stack.simState()) as unknown as {
      volumes: { desktop_id: string; bootable: boolean }[];
    };
    const disks = state.volumes.filter((v) => v.desktop_id === desktop.desktop_uuid && !v.bootable);
    expect(disks).toHaveLength(1);
    // they ran one after another: no two held the desktop at once
    const spans = await stack.database.sql<{ started: number; ended: number }[]>`
      select extract(epoch from min(s.started_at))::float8 as started,
             extract(epoch from max(s.ended_at))::float8 as ended from task_steps s
      where s.task_id = any(${ids}::uuid[]) group by s.task_id order by 1`;
    for (let i = 1; i < spans.length; i++) {
      expect(spans[i]!.started).toBeGreaterThanOrEqual(spans[i - 1]!.ended);
    }
    const [locks] = await stack.database.sql<{ n: number }[]>`select count(*)::int as n from resource_locks`;
    expect(locks!.n).toBe(0);
  });
});

import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Received, startReceiver } from "../../../apps/api/test/support/receiver.ts";
import { type Stack, startStack } from "../../../apps/api/test/support/stack.ts";
import { type AppRouter, createDeskgateClient, type DeskgateClient } from "../src/index.ts";

/** The lifecycle operations over tRPC: the same services as REST, the same tasks and callbacks. */
let stack: Stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let client: DeskgateClient;

beforeAll(async () => {
  [stack, receiver] = await Promise.all([startStack(), startReceiver()]);
  client = createDeskgateClient({ url: stack.apiUrl, apiKey: stack.keys.admin });
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

async function callbackFor(taskId: string): Promise<Received> {
  for (let n = 1; ; n++) {
    await receiver.waitFor(n);
    const found = receiver.received.find((r) => r.body.data.task_id === taskId);
    if (found) return found;
  }
}

async function openDesktop(group: string) {
  const { task_id } = await client.desktop.open.mutate({
    username: group,
    os: "win10",
    callback_url: receiver.url,
  });
  return (await callbackFor(task_id)).body.data as { username: string; desktop_uuid: string };
}

describe("lifecycle over tRPC", () => {
  it("user.lock / user.unlock answer with the lock state; an unknown user is NOT_FOUND", async () => {
    const d = await openDesktop("tlock");
    expect(await client.user.lock.mutate({ username: d.username })).toMatchObject({
      username: d.username,
      locked: true,
    });
    expect(await client.user.unlock.mutate({ username: d.username })).toMatchObject({ locked: false });
    const err = await client.user.lock.mutate({ username: "nobody" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCClientError);
    expect((err as TRPCClientError<AppRouter>).data?.code).toBe("NOT_FOUND");
  });

  it("desktop.delete accepts, and the callback says what went", async () => {
    const d = await openDesktop("tdel");
    const { task_id } = await client.desktop.delete.mutate({
      desktop_uuid: d.desktop_uuid,
      delete_user_if_last: true,
      callback_url: receiver.url,
    });
    const cb = await callbackFor(task_id);
    expect(cb.body).toMatchObject({
      status: "0",
      data: { desktop_uuid: d.desktop_uuid, user_deleted: true },
    });
    const view = await client.tasks.get.query({ task_id });
    expect(view).toMatchObject({ kind: "desktop.delete", state: "succeeded" });
    const err = await client.desktop.delete
      .mutate({ desktop_uuid: "never-was", callback_url: receiver.url })
      .catch((e: unknown) => e);
    expect((err as TRPCClientError<AppRouter>).data?.code).toBe("NOT_FOUND");
  });

  it("desktop.power, desktop.rebuild and user.offboard accept and end like their REST twins", async () => {
    const d = await openDesktop("tpow");
    const power = await client.desktop.power.mutate({
      desktop_uuid: d.desktop_uuid,
      action: "stop",
      callback_url: receiver.url,
    });
    expect((await callbackFor(power.task_id)).body).toMatchObject({ status: "0", data: { power: "off" } });
    const rebuild = await client.desktop.rebuild.mutate({
      desktop_uuid: d.desktop_uuid,
      callback_url: receiver.url,
    });
    expect((await callbackFor(rebuild.task_id)).body).toMatchObject({ status: "0", data: { os: "win10" } });
    const off = await client.user.offboard.mutate({ username: d.username, callback_url: receiver.url });
    expect((await callbackFor(off.task_id)).body).toMatchObject({
      status: "0",
      data: { removed: { desktops: [{ desktop_uuid: d.desktop_uuid }], user: true } },
    });
    const err = await client.user.offboard
      .mutate({ username: "never-was", callback_url: receiver.url })
      .catch((e: unknown) => e);
    expect((err as TRPCClientError<AppRouter>).data?.code).toBe("NOT_FOUND");
  });
});

import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The api's own test stack (db + simulator + worker + api over real HTTP).
import { startReceiver } from "../../../apps/api/test/support/receiver.ts";
import { HPC_ACCOUNT, type Stack, startStack } from "../../../apps/api/test/support/stack.ts";
import {
  type AppRouter,
  createDeskgateClient,
  type DeskgateClient,
  type RouterOutputs,
} from "../src/index.ts";

type TaskView = RouterOutputs["tasks"]["get"];

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

describe("@deskgate/client over real HTTP", () => {
  it("opens a desktop, watches its task to the end over SSE, then reads it back", async () => {
    const { task_id } = await client.desktop.open.mutate({
      username: "trpc",
      os: "win10",
      callback_url: receiver.url,
    });
    expect(task_id).toMatch(/^[0-9a-f-]{36}$/);

    const seen: TaskView[] = [];
    await new Promise<void>((resolve, reject) => {
      const sub = client.tasks.watch.subscribe(
        { task_id },
        {
          onData: (view) => {
            seen.push(view);
            if (["succeeded", "failed", "cancelled"].includes(view.state)) {
              sub.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.at(-1)).toMatchObject({ task_id, kind: "desktop.apply", state: "succeeded" });

    const view = await client.tasks.get.query({ task_id });
    expect(view.state).toBe("succeeded");
    expect(view.steps.map((s) => s.name)).toContain("create_desktop");
    const username = String(view.result?.username);
    const desktops = await client.user.desktops.query({ username });
    expect(desktops).toHaveLength(1);
    const volumes = await client.desktop.volumes.query({ desktop_uuid: desktops[0]!.desktop_uuid });
    expect(Array.isArray(volumes)).toBe(true);

    const policy = await client.desktop.policyUpdate.mutate({
      desktop_uuid: desktops[0]!.desktop_uuid,
      "usb-enable": true,
    });
    expect(policy).toMatchObject({ desktop_uuid: desktops[0]!.desktop_uuid, "usb-enable": true });
  });

  it("batches queries, and opens / lists / closes a VNC session", async () => {
    const session = await client.hpc.vncOpen.mutate({ account: HPC_ACCOUNT });
    expect(session.sessionId).toBeTruthy();
    const [list, again] = await Promise.all([
      client.hpc.vncList.query({ account: HPC_ACCOUNT }),
      client.hpc.vncList.query({ account: HPC_ACCOUNT }),
    ]);
    expect(list.map((s) => s.sessionId)).toContain(session.sessionId);
    expect(again.map((s) => s.sessionId)).toEqual(list.map((s) => s.sessionId));
    const closed = await client.hpc.vncClose.mutate({ account: HPC_ACCOUNT, sessionId: session.sessionId! });
    expect(closed.sessionId).toBe(session.sessionId);
  });

  it("refuses a bad key (UNAUTHORIZED), a wrong scope (FORBIDDEN), bad input (BAD_REQUEST)", async () => {
    const stranger = createDeskgateClient({ url: stack.apiUrl, apiKey: "dg_nope" });
    await expect(
      stranger.tasks.get.query({ task_id: "00000000-0000-4000-8000-000000000000" }),
    ).rejects.toMatchObject({
      data: { code: "UNAUTHORIZED", httpStatus: 401 },
    });
    const hpcOnly = createDeskgateClient({ url: stack.apiUrl, apiKey: stack.keys.hpc });
    await expect(hpcOnly.user.desktops.query({ username: "x" })).rejects.toMatchObject({
      data: { code: "FORBIDDEN", httpStatus: 403 },
    });
    const error = await client.desktop.open
      .mutate({ username: "x", os: "dos" as "win10", callback_url: receiver.url })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).data).toMatchObject({ code: "BAD_REQUEST", httpStatus: 400 });
    // the REST envelope's message, not zod's issue list; and no server stack trace
    expect((error as TRPCClientError<never>).message).toBe("os: must be one of win7, win10, kylin, macos");
    expect((error as TRPCClientError<AppRouter>).data?.stack).toBeUndefined();
    const missing = (await client.desktop.open
      // @ts-expect-error: username is required
      .mutate({ os: "win10", callback_url: receiver.url })
      .catch((e: unknown) => e)) as TRPCClientError<AppRouter>;
    expect(missing.message).toBe("username: is required");
    await expect(
      client.tasks.get.query({ task_id: "00000000-0000-4000-8000-000000000000" }),
    ).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
  });
});

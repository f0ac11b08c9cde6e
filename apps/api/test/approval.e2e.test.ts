import { getDesktopRow } from "@deskgate/db";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../src/trpc/router.ts";
import { createConformance, type Exchange } from "./support/conformance.ts";
import { opsGet, opsLogin } from "./support/ops-session.ts";
import { type Received, startReceiver } from "./support/receiver.ts";
import { type Stack, startStack } from "./support/stack.ts";

/**
 * Approval metadata (issue 14): `ticket_id` / `requester` on a POST are kept on the task and
 * the desktop, echoed in the signed callback (success and failure), pushed to the simulator as
 * desktop tags, found by /ops search; bad values are refused over REST and tRPC alike.
 */
let stack: Stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let trpc: ReturnType<typeof createTRPCClient<AppRouter>>;
const exchanges: Exchange[] = [];

async function callbackFor(taskId: string): Promise<Received> {
  for (let n = 1; ; n++) {
    await receiver.waitFor(n);
    const found = receiver.received.find((r) => r.body.data.task_id === taskId);
    if (found) return found;
  }
}

const taskIdOf = async (res: Response) => ((await res.json()) as { data: { task_id: string } }).data.task_id;

beforeAll(async () => {
  [stack, receiver] = await Promise.all([
    startStack({ onResponse: (x) => exchanges.push(x) }),
    startReceiver(),
  ]);
  trpc = createTRPCClient<AppRouter>({
    links: [
      httpLink({ url: `${stack.apiUrl}/trpc`, headers: { authorization: `Bearer ${stack.keys.admin}` } }),
    ],
  });
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

let leased: { desktopUuid: string; expires: Date };

describe("ticket_id and requester", () => {
  const ticket = "ITSM-2026/0042 #7";
  const requester = "Zoë Müller <zoe@example.com>";

  it("apply: on the task and the desktop, echoed in the signed callback, tagged on the platform", async () => {
    const res = await stack.post("/api/desktop/apply", {
      username: "appr",
      os: "win10",
      callback_url: receiver.url,
      ticket_id: ticket,
      requester,
    });
    expect(res.status).toBe(200);
    const taskId = await taskIdOf(res);
    const cb = await callbackFor(taskId);
    expect(() => new Webhook(stack.webhookSecret).verify(cb.raw, cb.headers)).not.toThrow();
    expect(cb.body.status).toBe("0");
    expect(Object.keys(cb.body.data)[0]).toBe("task_id");
    expect(cb.body.data).toMatchObject({ ticket_id: ticket, requester, new_user: true });
    const desktopUuid = String(cb.body.data.desktop_uuid);

    const view = (await (await stack.get(`/api/tasks/${taskId}`)).json()) as {
      data: {
        ticket_id: string;
        requester: string;
        steps: { name: string; outcome: string; detail: string }[];
      };
    };
    expect(view.data).toMatchObject({ ticket_id: ticket, requester });
    const tagStep = view.data.steps.find((s) => s.name === "tag_desktop");
    expect(tagStep).toMatchObject({ outcome: "ok" });

    const row = await getDesktopRow(stack.database.db, desktopUuid);
    expect(row).toMatchObject({ ticketId: ticket, requester });

    // the platform's tag rules: `/`, `#`, `<`, `>` become `_`; values cut to 43 characters
    const state = (await stack.simState()) as unknown as {
      desktops: { desktop_id: string; tags: { key: string; value: string }[] }[];
    };
    const tags = state.desktops.find((d) => d.desktop_id === desktopUuid)!.tags;
    expect(tags).toEqual(
      expect.arrayContaining([
        { key: "ticket_id", value: "ITSM-2026_0042 _7" },
        { key: "requester", value: "Zoë Müller _zoe@example.com_" },
      ]),
    );
  });

  it("a failure callback echoes them too", async () => {
    // "9x" is a valid user name but neither a user nor a group: the task fails
    const res = await stack.post("/api/desktop/apply", {
      username: "9x",
      os: "win10",
      callback_url: receiver.url,
      ticket_id: "CHG-1",
    });
    const cb = await callbackFor(await taskIdOf(res));
    expect(cb.body.status).toBe("-1");
    expect(cb.body.data).toEqual({ task_id: expect.any(String), ticket_id: "CHG-1" });
  });

  it("a callback without them has neither key", async () => {
    const res = await stack.post("/api/desktop/apply", {
      username: "plain",
      os: "win10",
      callback_url: receiver.url,
    });
    const cb = await callbackFor(await taskIdOf(res));
    expect(cb.body.data).not.toHaveProperty("ticket_id");
    expect(cb.body.data).not.toHaveProperty("requester");
  });

  it("every POST takes them: lock (sync) keeps them on its task", async () => {
    const opened = await stack.post("/api/desktop/apply", {
      username: "lockr",
      os: "win10",
      callback_url: receiver.url,
    });
    const user = String((await callbackFor(await taskIdOf(opened))).body.data.username);
    const res = await stack.post("/api/user/lock", { username: user, ticket_id: "OFF-9", requester: "hr" });
    expect(res.status).toBe(200);
    const view = (await (await stack.get(`/api/tasks/${await taskIdOf(res)}`)).json()) as {
      data: { ticket_id: string; requester: string };
    };
    expect(view.data).toMatchObject({ ticket_id: "OFF-9", requester: "hr" });
  });

  it("bad values → 400 naming the field; nothing is written", async () => {
    const before = await stack.counts();
    for (const [body, message] of [
      [{ ticket_id: "x".repeat(65) }, "ticket_id: must be at most 64 characters"],
      [{ ticket_id: "" }, "ticket_id: must not be empty"],
      [{ ticket_id: "a\u0000b" }, "ticket_id: must not contain control characters"],
      [{ requester: 42 }, "requester: must be a string"],
      [{ requester: "r".repeat(129) }, "requester: must be at most 128 characters"],
    ] as const) {
      const res = await stack.post("/api/desktop/apply", {
        username: "bad",
        os: "win10",
        callback_url: receiver.url,
        ...body,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toContain(message);
    }
    expect(await stack.counts()).toEqual(before);
  });

  it("over tRPC: accepted with them, BAD_REQUEST for a bad one", async () => {
    const { task_id } = await trpc.desktop.open.mutate({
      username: "trpcap",
      os: "win10",
      callback_url: receiver.url,
      ticket_id: "RITM0012345",
    });
    const cb = await callbackFor(task_id);
    expect(cb.body.data).toMatchObject({ ticket_id: "RITM0012345" });
    const refused = await trpc.desktop.open
      .mutate({ username: "trpcap", os: "win10", callback_url: receiver.url, ticket_id: "x".repeat(65) })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect((refused as TRPCClientError<AppRouter>).data?.code).toBe("BAD_REQUEST");
  });

  it("/ops search finds the tasks of a ticket and shows it", async () => {
    const { cookie } = await opsLogin(stack.apiUrl, stack.keys.admin);
    const page = await (await opsGet(stack.apiUrl, `/ops?q=${encodeURIComponent(ticket)}`, cookie)).text();
    const rows = [...page.matchAll(/<tr data-task-id="([^"]+)"/g)].map((m) => m[1]);
    expect(rows).toHaveLength(1);
    expect(page).toContain("ITSM-2026/0042 #7");
    const byRequester = await (await opsGet(stack.apiUrl, "/ops?q=hr", cookie)).text();
    expect([...byRequester.matchAll(/<tr data-task-id=/g)]).toHaveLength(1);
    const detail = await (await opsGet(stack.apiUrl, `/ops/tasks/${rows[0]}`, cookie)).text();
    expect(detail).toContain("Zoë Müller &lt;zoe@example.com&gt;");
  });

  it("expires_at on apply is kept on the desktop; past, unzoned or too far → 400", async () => {
    const expires = new Date(Date.now() + 30 * 86_400_000);
    const res = await stack.post("/api/desktop/apply", {
      username: "lease",
      os: "win10",
      callback_url: receiver.url,
      expires_at: expires.toISOString(),
    });
    expect(res.status).toBe(200);
    const cb = await callbackFor(await taskIdOf(res));
    const row = await getDesktopRow(stack.database.db, String(cb.body.data.desktop_uuid));
    expect(row?.leaseExpiresAt?.toISOString()).toBe(expires.toISOString());
    leased = { desktopUuid: row!.desktopUuid, expires };

    const plain = await stack.post("/api/desktop/apply", {
      username: "nolease",
      os: "win10",
      callback_url: receiver.url,
    });
    const plainRow = await getDesktopRow(
      stack.database.db,
      String((await callbackFor(await taskIdOf(plain))).body.data.desktop_uuid),
    );
    expect(plainRow?.leaseExpiresAt).toBeNull();

    const before = await stack.counts();
    for (const [expires_at, message] of [
      [new Date(Date.now() - 60_000).toISOString(), "expires_at: must be in the future"],
      ["2027-01-31T18:00:00", "expires_at: must be an ISO 8601 timestamp with a time zone"],
      ["tomorrow", "expires_at: must be an ISO 8601 timestamp with a time zone"],
      [new Date(Date.now() + 1900 * 86_400_000).toISOString(), "expires_at: must be at most 1826 days ahead"],
    ] as const) {
      const bad = await stack.post("/api/desktop/apply", {
        username: "lease",
        os: "win10",
        callback_url: receiver.url,
        expires_at,
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toContain(message);
    }
    expect(await stack.counts()).toEqual(before);
  });

  it("POST /api/desktop/lease sets a new end (callback: the old and new end); unknown → 404, bad → 400, delete begun → 409", async () => {
    const newEnd = new Date(leased.expires.getTime() + 90 * 86_400_000);
    const res = await stack.post("/api/desktop/lease", {
      desktop_uuid: leased.desktopUuid,
      expires_at: newEnd.toISOString(),
      callback_url: receiver.url,
      ticket_id: "ITSM-EXT-1",
    });
    expect(res.status).toBe(200);
    const taskId = await taskIdOf(res);
    const cb = await callbackFor(taskId);
    expect(() => new Webhook(stack.webhookSecret).verify(cb.raw, cb.headers)).not.toThrow();
    expect(cb.body).toMatchObject({
      status: "0",
      data: {
        task_id: taskId,
        desktop_uuid: leased.desktopUuid,
        expires_at: newEnd.toISOString(),
        previous_expires_at: leased.expires.toISOString(),
        user_unlocked: false,
        ticket_id: "ITSM-EXT-1",
      },
    });
    expect(await getDesktopRow(stack.database.db, leased.desktopUuid)).toMatchObject({
      leaseExpiresAt: newEnd,
      leaseTaskId: taskId,
      leaseStage: null,
    });

    const before = await stack.counts();
    const unknown = await stack.post("/api/desktop/lease", {
      desktop_uuid: "no-such-desktop",
      expires_at: newEnd.toISOString(),
      callback_url: receiver.url,
    });
    expect(unknown.status).toBe(404);
    const bad = await stack.post("/api/desktop/lease", {
      desktop_uuid: leased.desktopUuid,
      expires_at: "2027-01-31",
      callback_url: receiver.url,
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain("expires_at:");
    await stack.database
      .sql`update desktops set lease_stage = 'deleting' where desktop_uuid = ${leased.desktopUuid}`;
    const late = await stack.post("/api/desktop/lease", {
      desktop_uuid: leased.desktopUuid,
      expires_at: newEnd.toISOString(),
      callback_url: receiver.url,
    });
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({
      status: "-1",
      message: expect.stringContaining("its delete has begun"),
    });
    await stack.database
      .sql`update desktops set lease_stage = null where desktop_uuid = ${leased.desktopUuid}`;
    expect(await stack.counts()).toEqual(before);

    const viaTrpc = await trpc.desktop.lease.mutate({
      desktop_uuid: leased.desktopUuid,
      expires_at: new Date(newEnd.getTime() + 86_400_000).toISOString(),
      callback_url: receiver.url,
    });
    expect((await callbackFor(viaTrpc.task_id)).body.status).toBe("0");
  });

  it("every answer and callback above matches the OpenAPI document", async () => {
    const conformance = createConformance(await (await fetch(`${stack.apiUrl}/openapi.json`)).json());
    const answers = exchanges.filter((x) => x.path.startsWith("/api/"));
    expect(answers.map((x) => conformance.check(x)).filter(Boolean)).toEqual([]);
    const kinds = new Map(
      (await stack.database.sql<{ id: string; kind: string }[]>`select id, kind from tasks`).map((t) => [
        t.id,
        t.kind,
      ]),
    );
    const problems = receiver.received.map((r) =>
      conformance.checkCallback(kinds.get(String(r.body.data.task_id))!, r.body),
    );
    expect(problems.filter(Boolean)).toEqual([]);
  });
});

import { pendingAppliesNow } from "@deskgate/db";
import { createLogger } from "@deskgate/runtime";
import { createSim, simConnection } from "@deskgate/sim";
import { createWorkspacePlatform } from "@deskgate/upstream";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { createPlatformCatalog } from "../src/services/platform-catalog.ts";
import type { AppRouter } from "../src/trpc/router.ts";
import { createConformance, type Exchange } from "./support/conformance.ts";
import { envelopeOf } from "./support/eventually.ts";
import { GIB, seedMirror } from "./support/seed.ts";
import { type Stack, startStack } from "./support/stack.ts";

/**
 * Request-time refusals (SPEC 2.2, 2.4, 4; issues 13.4 and 15.3), end to end: real
 * PostgreSQL, the simulator over real HTTP, the worker running.
 */
let stack: Stack;
let trpc: ReturnType<typeof createTRPCClient<AppRouter>>;

const CALLBACK = "http://127.0.0.1:9/unused";
const exchanges: Exchange[] = [];

/** A POST to the main stack, its answer kept for the OpenAPI check at the end. */
async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const res = await stack.post(path, body, headers);
  const text = await res.text();
  exchanges.push({ method: "POST", path, status: res.status, body: text });
  return new Response(text, { status: res.status, headers: res.headers });
}

beforeAll(async () => {
  // quotas read afresh on every request here (the cache itself: platform-catalog.test.ts)
  stack = await startStack({ catalog: { quotaTtlMs: 0 } });
  await seedMirror(stack);
  trpc = createTRPCClient<AppRouter>({
    links: [
      httpLink({ url: `${stack.apiUrl}/trpc`, headers: { authorization: `Bearer ${stack.keys.desktop}` } }),
    ],
  });
});
afterAll(async () => {
  await stack?.stop();
});

async function trpcError(promise: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof TRPCClientError) return e as TRPCClientError<AppRouter>;
    throw e;
  }
  throw new Error("expected a tRPC error");
}

describe("synchronous tasks whose object does not exist → 404", () => {
  it("pwd-reset of a user the platform does not know: REST 404 with the reason and the task id", async () => {
    const res = await post("/api/user/pwd-reset", { username: "nobody_01", password: "" });
    expect(res.status).toBe(404);
    const body = await envelopeOf(res);
    expect(body).toEqual({
      data: { task_id: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      message: "user nobody_01 does not exist on the platform",
      status: "-1",
    });
    const [task] = await stack.database.sql<{ state: string }[]>`
      select state from tasks where id = ${body.data.task_id}`;
    expect(task?.state).toBe("failed");
  });

  it("pwd-reset of an unknown user over tRPC → NOT_FOUND (HTTP 404)", async () => {
    // a non-admin key: refused at once (not one of its tenant's users), no task
    const before = await stack.counts();
    const e = await trpcError(trpc.user.pwdReset.mutate({ username: "nobody_02", password: "" }));
    expect(e.data?.code).toBe("NOT_FOUND");
    expect(e.data?.httpStatus).toBe(404);
    expect(e.message).toBe("user nobody_02 is not known");
    expect(await stack.counts()).toEqual(before);
  });

  it("policy-update of a desktop deskgate knows but the platform no longer has → 404", async () => {
    // seedMirror's desktops exist only in deskgate's tables: the worker finds them gone
    const res = await post("/api/desktop/policy-update", {
      desktop_uuid: "desk-one-disk",
      "usb-enable": true,
    });
    expect(res.status).toBe(404);
    expect(await envelopeOf(res)).toEqual({
      data: { task_id: expect.any(String) },
      message: "desktop desk-one-disk does not exist on the platform",
      status: "-1",
    });
    const e = await trpcError(
      trpc.desktop.policyUpdate.mutate({ desktop_uuid: "desk-one-disk", "usb-enable": true }),
    );
    expect(e.data?.code).toBe("NOT_FOUND");
  });

  it("a platform refusal that is not a missing object stays 422 (tRPC: UNPROCESSABLE_CONTENT)", async () => {
    const { username } = await openDesktop("refusal");
    const res = await post("/api/user/pwd-reset", { username, password: "alllowercase" });
    expect(res.status).toBe(422);
    expect((await envelopeOf(res)).message).toMatch(/^the platform refused the password: /);
    const e = await trpcError(trpc.user.pwdReset.mutate({ username, password: "alllowercase" }));
    expect(e.data?.code).toBe("UNPROCESSABLE_CONTENT");
  });
});

describe("resource-update: cpu/memory with no matching product → 400 at once (SPEC 2.2 / 4)", () => {
  it("lists the combinations the desktop can be resized to; nothing is written", async () => {
    const { desktop_uuid } = await openDesktop("resize");
    const before = await stack.counts();
    const res = await post("/api/desktop/resource-update", {
      desktop_uuid,
      cpu: 3,
      callback_url: CALLBACK,
    });
    expect(res.status).toBe(400);
    const body = await envelopeOf(res);
    expect(body.status).toBe("-1");
    expect(body.data).toEqual({});
    // the simulator's Windows products other than the desktop's own c2m4
    expect(body.message).toBe(
      `cpu/memory: no product has 3 vCPU and ${4 * GIB} bytes of memory for desktop ${desktop_uuid} (now 2 vCPU / ${4 * GIB} bytes); available: ` +
        [
          [2, 8],
          [4, 8],
          [4, 16],
          [8, 16],
          [8, 32],
        ]
          .map(([cpu, gb]) => `${cpu} vCPU / ${gb! * GIB} bytes (${gb} GiB)`)
          .join(", "),
    );
    expect(await stack.counts()).toEqual(before);

    const e = await trpcError(
      trpc.desktop.resourceUpdate.mutate({ desktop_uuid, memory: 5 * GIB, callback_url: CALLBACK }),
    );
    expect(e.data?.code).toBe("BAD_REQUEST");
    expect(e.message).toMatch(
      /^cpu\/memory: no product has 2 vCPU and 5368709120 bytes of memory .*; available: 2 vCPU \/ 8589934592 bytes \(8 GiB\), /,
    );
  });

  it("a combination a product has is accepted, and so is the current one", async () => {
    const { desktop_uuid } = await openDesktop("resize2");
    for (const body of [{ cpu: 4, memory: 8 * GIB }, { cpu: 2 }]) {
      const res = await post("/api/desktop/resource-update", {
        desktop_uuid,
        ...body,
        callback_url: CALLBACK,
      });
      expect(res.status).toBe(200);
    }
  });
});

describe("apply: the platform's quota (issue 13.4)", () => {
  it("an apply the quota cannot hold → 409 with the quota, nothing written; REST and tRPC", async () => {
    const used = (await simQuotas(stack)).general_instances.used;
    await stack.simFaults({ quota_desktops: used });
    try {
      const before = await stack.counts();
      const res = await post("/api/desktop/apply", {
        username: "full",
        os: "win10",
        callback_url: CALLBACK,
      });
      expect(res.status).toBe(409);
      expect(await envelopeOf(res)).toEqual({
        data: {},
        message: `the platform's quota cannot hold this desktop: desktops quota ${used}, used ${used}; a win10 desktop needs 1`,
        status: "-1",
      });
      const zh = await post(
        "/api/desktop/apply",
        { username: "full", os: "win10", callback_url: CALLBACK },
        { "accept-language": "zh-CN" },
      );
      expect((await envelopeOf(zh)).message).toBe(
        `平台配额不足,无法创建该桌面:桌面数配额 ${used},已用 ${used};一个 win10 桌面需要 1`,
      );
      const e = await trpcError(
        trpc.desktop.open.mutate({ username: "full", os: "win10", callback_url: CALLBACK }),
      );
      expect(e.data?.code).toBe("CONFLICT");
      expect(e.data?.httpStatus).toBe(409);
      expect(await stack.counts()).toEqual(before);
    } finally {
      await stack.simFaults({});
    }
    const res = await post("/api/desktop/apply", {
      username: "full",
      os: "win10",
      callback_url: CALLBACK,
    });
    expect(res.status).toBe(200);
  });
});

describe("apply: accepted applies not yet on the platform count against the quota", () => {
  let idle: Stack;
  beforeAll(async () => {
    // no worker: applies stay queued; quotas cached for a minute, so only deskgate's own
    // bookkeeping can tell that the read is out of date
    idle = await startStack({ worker: false, catalog: { quotaTtlMs: 60_000 } });
    await idle.simFaults({ quota_desktops: 2 });
  });
  afterAll(async () => {
    await idle?.stop();
  });
  const apply = (username: string) =>
    idle.post("/api/desktop/apply", { username, os: "kylin", callback_url: CALLBACK });

  it("two fit, the third is refused naming the two in flight; a cancelled one frees its place", async () => {
    expect((await apply("burst")).status).toBe(200);
    expect((await apply("burst")).status).toBe(200);
    const third = await apply("burst");
    expect(third.status).toBe(409);
    expect((await envelopeOf(third)).message).toBe(
      "the platform's quota cannot hold this desktop: desktops quota 2, used 0, 2 more taken by 2 accepted apply(s) it does not show yet; a kylin desktop needs 1",
    );
    expect((await idle.counts()).tasks).toBe(2);
    await idle.database.sql`update tasks set state = 'cancelled', finished_at = now() where id = (
      select id from tasks where kind = 'desktop.apply' order by created_at limit 1)`;
    expect((await apply("burst")).status).toBe(200);
  });

  it("applies that reached the platform after the cached quota read still count (worker running)", async () => {
    const busy = await startStack({ catalog: { quotaTtlMs: 60_000 } });
    try {
      const used = (await simQuotas(busy)).general_instances.used;
      await busy.simFaults({ quota_desktops: used + 2 });
      const first = await busy.post("/api/desktop/apply", {
        username: "late",
        os: "win10",
        callback_url: CALLBACK,
      });
      expect(first.status).toBe(200); // this request read the quota: `used` is cached from here
      await taskEnded(busy, (await envelopeOf(first)).data.task_id, "succeeded");
      const second = await busy.post("/api/desktop/apply", {
        username: "late",
        os: "win10",
        callback_url: CALLBACK,
      });
      expect(second.status).toBe(200);
      await taskEnded(busy, (await envelopeOf(second)).data.task_id, "succeeded");
      expect((await simQuotas(busy)).general_instances.used).toBe(used + 2);
      const third = await busy.post("/api/desktop/apply", {
        username: "late",
        os: "win10",
        callback_url: CALLBACK,
      });
      expect(third.status).toBe(409);
      expect((await envelopeOf(third)).message).toBe(
        `the platform's quota cannot hold this desktop: desktops quota ${used + 2}, used ${used}, 2 more taken by 2 accepted apply(s) it does not show yet; a win10 desktop needs 1`,
      );
    } finally {
      await busy.stop();
    }
  });
});

describe("fail open: a platform the api cannot read refuses nothing", () => {
  it("with the simulator down, an apply and a resource-update are accepted, and a warning is logged", async () => {
    const down = createSim();
    const server = await down.listen(0);
    await server.close(); // nothing listens there any more
    const lines: string[] = [];
    const logger = createLogger({
      name: "deskgate-api",
      destination: { write: (l: string) => void lines.push(l) },
    });
    const platform = createWorkspacePlatform({
      ...simConnection(server.url),
      requestTimeoutMs: 500,
      retry: { attempts: 1 },
    });
    const app = createApp({
      ...stack.appDeps,
      logger,
      catalog: createPlatformCatalog(platform, {
        pendingApplies: () => pendingAppliesNow(stack.database.db),
        logger,
      }),
    });
    const post = (path: string, body: unknown) =>
      app.request(path, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${stack.keys.desktop}` },
        body: JSON.stringify(body),
      });
    const applied = await post("/api/desktop/apply", {
      username: "outage",
      os: "win10",
      callback_url: CALLBACK,
    });
    expect(applied.status).toBe(200);
    const { desktop_uuid } = await openDesktop("outage2");
    const resized = await post("/api/desktop/resource-update", {
      desktop_uuid,
      cpu: 3,
      callback_url: CALLBACK,
    });
    expect(resized.status).toBe(200);
    const warnings = lines.map((l) => JSON.parse(l) as { level: string; msg: string; read?: string });
    expect(
      warnings.filter((w) => w.msg.startsWith("platform catalog unreadable")).map((w) => w.read),
    ).toEqual(expect.arrayContaining(["quotas", "flavors"]));
    await platform.close();
  });
});

async function taskEnded(s: Stack, taskId: string, state: string): Promise<void> {
  for (;;) {
    const [row] = await s.database.sql<{ state: string; error: string | null }[]>`
      select state, error from tasks where id = ${taskId}`;
    if (row?.state === state) return;
    if (row && ["succeeded", "failed", "cancelled"].includes(row.state)) {
      throw new Error(`task ${taskId} ended ${row.state}: ${row.error}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A user with one desktop, made by a real apply through the worker. */
/** A desktop of the desktop key's tenant (the tRPC client's), made by an apply. */
async function openDesktop(group: string): Promise<{ username: string; desktop_uuid: string }> {
  const created = await post(
    "/api/desktop/apply",
    { username: group, os: "win10", callback_url: CALLBACK },
    { authorization: `Bearer ${stack.keys.desktop}` },
  );
  const { task_id } = (await envelopeOf(created)).data;
  for (;;) {
    const [row] = await stack.database.sql<
      { state: string; result: { username?: string; desktop_uuid?: string } | null }[]
    >`select state, result from tasks where id = ${task_id}`;
    if (row?.state === "succeeded")
      return { username: row.result!.username!, desktop_uuid: row.result!.desktop_uuid! };
    if (row?.state === "failed") throw new Error(`apply failed: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

type SimQuota = { quota: number; used: number };
/** The simulator's quotas as its own state shows them. */
async function simQuotas(s: Stack): Promise<{ general_instances: SimQuota }> {
  const res = await fetch(`${s.simUrl}/_sim/state`);
  const { quotas } = (await res.json()) as {
    quotas: { limits: Record<string, number>; used: Record<string, number> };
  };
  return {
    general_instances: { quota: quotas.limits.general_instances!, used: quotas.used.general_instances! },
  };
}

describe("the OpenAPI document", () => {
  it("describes every refusal above (path, status, schema)", async () => {
    const conformance = createConformance(await (await fetch(`${stack.apiUrl}/openapi.json`)).json());
    expect(new Set(exchanges.map((x) => x.status))).toEqual(new Set([200, 400, 404, 409, 422]));
    expect(exchanges.map((x) => conformance.check(x)).filter(Boolean)).toEqual([]);
  });
});

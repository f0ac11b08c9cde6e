import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import {
  cancelTask,
  enqueue,
  getTask,
  insertTask,
  listAttempts,
  listDeliveries,
  requestRedelivery,
  retryTask,
} from "@deskgate/db";
import { createMetrics } from "@deskgate/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MetricsServer, startMetricsServer } from "../src/metrics-server.ts";
import { GIB, type Harness, startHarness } from "./support/harness.ts";

/**
 * The operator actions (CLI, /ops) against a running worker, and the worker's metrics.
 */
let h: Harness;
let metricsServer: MetricsServer;
const metrics = createMetrics("worker");
beforeAll(async () => {
  h = await startHarness({ overrides: { metrics, callbackRetryDelaySec: () => 1 } });
  metricsServer = await startMetricsServer(metrics, { port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await metricsServer?.close();
  await h?.stop();
});

/** A callback receiver answering 200, recording what it got. */
async function receiver() {
  const requests: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    res.end("ok");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`,
    requests,
    async received(n: number) {
      await eventually(() => requests.length >= n, `${n} callback(s)`);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function scrape(): Promise<string> {
  const res = await fetch(metricsServer.url);
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of the sample `name` whose labels include `labels` (in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    const m = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (m?.[1] !== name) continue;
    const has = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => has[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe("worker metrics", () => {
  it("serves task durations and upstream calls after an apply", async () => {
    await h.makeDesktop();
    const text = await scrape();
    const apply = { kind: "desktop.apply", outcome: "succeeded" };
    expect(sample(text, "deskgate_task_duration_seconds_count", apply)).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, "deskgate_upstream_calls_total", {
        platform: "workspace",
        operation: "createDesktop",
        result: "ok",
      }),
    ).toBeGreaterThanOrEqual(1);
    expect((await fetch(metricsServer.url.replace("/metrics", "/other"))).status).toBe(404);
  });

  it("with a metrics token, the port answers only a request that carries it", async () => {
    const guarded = await startMetricsServer(metrics, {
      port: 0,
      host: "127.0.0.1",
      token: "metrics-token-0123456789",
    });
    try {
      expect((await fetch(guarded.url)).status).toBe(401);
      const ok = await fetch(guarded.url, { headers: { authorization: "Bearer metrics-token-0123456789" } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain("deskgate_task_duration_seconds");
    } finally {
      await guarded.close();
    }
  });
});

describe("operator retry", () => {
  it("a failed task, retried after the fault is cleared, resumes from its progress and succeeds", async () => {
    const d = await h.makeDesktop();
    // the disk is added, then the resize is refused for good: the task fails with the disk done
    await h.faults({
      fail_next: { route: "POST /desktops/resize", status: 400, code: "WKS.00010001", count: 1 },
    });
    const id = await h.submit("desktop.resource_update", {
      desktop_uuid: d.desktop_uuid,
      disk: 20 * GIB,
      cpu: 4,
      memory: 8 * GIB,
    });
    const failed = await h.waitTask(id);
    expect(failed.state).toBe("failed");
    expect(failed.progress).toMatchObject({ diskDone: true, failure: expect.any(String) });
    await h.faults({});

    expect(await retryTask(h.database.db, h.boss, id)).toEqual({ ok: true });
    const done = await h.waitTask(id);
    expect(done.state, done.error ?? "").toBe("succeeded");
    expect(done.result).toMatchObject({ cpu: 4, memory: 8 * GIB, volume_size: 20 * GIB });
    const steps = (await h.steps(id)).map((s) => s.name);
    expect(steps.filter((s) => s === "add_volume")).toHaveLength(1); // resumed, not redone
    const disks = (await h.simState()).volumes.filter((v) => v.desktop_id === d.desktop_uuid && !v.bootable);
    expect(disks).toHaveLength(1);
    expect(await retryTask(h.database.db, h.boss, id)).toMatchObject({ ok: false });
  });

  it("an apply whose effects were rolled back starts over when retried", async () => {
    await h.faults({ fail_next: { route: "POST /desktops", status: 400, code: "WKS.00010001", count: 1 } });
    const id = await h.submit("desktop.apply", { username: "rtry", os: "win10" }, { callbackUrl: null });
    const failed = await h.waitTask(id);
    expect(failed.state).toBe("failed");
    expect(failed.error).toContain("rolled back");
    await h.faults({});

    expect(await retryTask(h.database.db, h.boss, id)).toEqual({ ok: true });
    const done = await h.waitTask(id);
    expect(done.state, done.error ?? "").toBe("succeeded");
    const result = done.result as { username: string; desktop_uuid: string };
    const state = await h.simState();
    expect(state.users.map((u) => u.user_name)).toContain(result.username);
    expect(state.desktops.map((x) => x.desktop_id)).toContain(result.desktop_uuid);
  });
});

describe("operator cancel", () => {
  it('a queued task is cancelled and its caller gets the "cancelled by an operator" callback', async () => {
    const rx = await receiver();
    try {
      const id = randomUUID();
      await h.database.db.transaction(async (tx) => {
        await insertTask(tx, {
          id,
          kind: "desktop.apply",
          request: { username: "cncl", os: "win10" },
          callbackUrl: rx.url,
        });
        // not due for an hour: the task stays queued
        await enqueue(h.boss, tx, "desktop.apply", { task_id: id }, { startAfter: 3600 });
      });
      expect(await cancelTask(h.database.db, h.boss, id)).toEqual({ ok: true });
      await rx.received(1);
      expect(JSON.parse(rx.requests[0]!.body)).toEqual({
        data: { task_id: id },
        message: "cancelled by an operator",
        status: "-1",
      });
      expect(await getTask(h.database.db, id)).toMatchObject({ state: "cancelled" });
      const [job] = await h.boss.findJobs("desktop.apply", { data: { task_id: id } });
      expect(job?.state).toBe("cancelled");
      expect(await cancelTask(h.database.db, h.boss, id)).toMatchObject({ ok: false });
    } finally {
      await rx.close();
    }
  });
});

describe("operator redelivery", () => {
  it("the worker makes a manual attempt with the same webhook-id and body", async () => {
    const rx = await receiver();
    try {
      const id = await h.submit(
        "user.pwd_reset",
        { username: "nobody-here", password: "X" },
        {
          callbackUrl: rx.url,
        },
      );
      await h.waitTask(id);
      await rx.received(1);
      const [delivery] = await listDeliveries(h.database.db, id);
      await eventually(
        async () => (await listAttempts(h.database.db, delivery!.id)).some((a) => a.outcome === "delivered"),
        "the first attempt to settle",
      );

      expect(await requestRedelivery(h.database.db, h.boss, delivery!.id)).toEqual({ ok: true });
      await rx.received(2);
      const [first, second] = rx.requests;
      expect(second!.headers["webhook-id"]).toBe(first!.headers["webhook-id"]);
      expect(second!.body).toBe(first!.body);
      await eventually(
        async () => (await listAttempts(h.database.db, delivery!.id)).length === 2,
        "the manual attempt to be recorded",
      );
      await eventually(
        async () => (await listAttempts(h.database.db, delivery!.id))[1]?.outcome === "delivered",
        "the manual attempt to settle",
      );
      const attempts = await listAttempts(h.database.db, delivery!.id);
      expect(attempts.map((a) => [a.attempt, a.trigger, a.outcome])).toEqual([
        [1, "scheduled", "delivered"],
        [2, "manual", "delivered"],
      ]);
      const delivered = { outcome: "delivered", error_class: "" };
      expect(sample(await scrape(), "deskgate_callback_attempts_total", delivered)).toBeGreaterThanOrEqual(2);
      expect(await requestRedelivery(h.database.db, h.boss, randomUUID())).toMatchObject({ ok: false });
    } finally {
      await rx.close();
    }
  });
});

import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createApiKey,
  finishWithCallback,
  getDelivery,
  getTask,
  insertTask,
  listAttempts,
  listDeliveries,
  rotateSigningSecret,
  schema,
} from "@deskgate/db";
import {
  type DeliveryAttemptResult,
  generateWebhookSecret,
  RETRY_SCHEDULE_SECONDS,
} from "@deskgate/webhooks";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { deliverCallback, redeliver } from "../src/jobs/deliver-callback.ts";
import { type Harness, startHarness } from "./support/harness.ts";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A callback receiver answering with the given statuses in turn (the last one repeats). */
async function receiver(statuses: number[], host = "127.0.0.1") {
  const requests: Received[] = [];
  let connections = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    res.statusCode = statuses[Math.min(requests.length - 1, statuses.length - 1)]!;
    res.end("ok");
    for (const w of waiters) if (requests.length >= w.n) w.resolve();
  });
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/cb`,
    requests,
    connections: () => connections,
    received: (n: number) =>
      requests.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let h: Harness;
beforeAll(async () => {
  // A shortened schedule (RELIABILITY.md 2's real one is tested below without waiting):
  // up to 4 attempts, each due at once (pg-boss polling makes them ~2 s apart).
  h = await startHarness({
    overrides: {
      callbackRetryDelaySec: (n: number, r: DeliveryAttemptResult) => (r.gone || n >= 4 ? null : 0),
    },
  });
});
afterAll(async () => {
  await h?.stop();
});

/** A finished apply task whose callback carries a generated password. */
async function finishedTask(url: string, apiKeyId?: string) {
  const id = randomUUID();
  await insertTask(h.database.db, {
    id,
    kind: "desktop.apply",
    request: { username: "grp", os: "win10", callback_url: url },
    callbackUrl: url,
    apiKeyId: apiKeyId ?? null,
  });
  const task = (await getTask(h.database.db, id))!;
  await finishWithCallback(h.deps, task, {
    state: "succeeded",
    data: { username: "grp_01", password: "", desktop_uuid: "d-1", desktop_name: "GRP-1", new_user: true },
    password: "Gen#Pass-123",
  });
  const [delivery] = await listDeliveries(h.database.db, id);
  return delivery!;
}

async function waitDelivery(id: string, state: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await getDelivery(h.database.db, id);
    if (d?.state === state) return d;
    if (Date.now() > deadline) throw new Error(`delivery ${id} is ${d?.state}, not ${state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const verify = (secret: string, r: Received) =>
  new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as {
    data: Record<string, unknown>;
  };

describe("callback delivery", () => {
  it("a receiver failing twice then succeeding: 3 attempts, one webhook-id, delivered, password wiped", async () => {
    const rx = await receiver([500, 503, 200]);
    try {
      const delivery = await finishedTask(rx.url);
      await rx.received(3);
      const settled = await waitDelivery(delivery.id, "delivered");
      expect(settled.attempts).toBe(3);
      expect(settled.sealedPassword).toBeNull();
      expect(new Set(rx.requests.map((r) => r.headers["webhook-id"]))).toEqual(new Set([delivery.webhookId]));
      for (const r of rx.requests) expect(verify(h.webhookSecret, r).data.password).toBe("Gen#Pass-123");
      const attempts = await listAttempts(h.database.db, delivery.id);
      expect(attempts.map((a) => [a.attempt, a.outcome, a.httpStatus, a.trigger])).toEqual([
        [1, "failed", 500, "scheduled"],
        [2, "failed", 503, "scheduled"],
        [3, "delivered", 200, "scheduled"],
      ]);
      const stored = await getDelivery(h.database.db, delivery.id);
      expect(stored?.body).not.toContain("Gen#Pass-123");
    } finally {
      await rx.close();
    }
  });

  it("410 Gone stops: state gone, no further attempt, password wiped", async () => {
    const rx = await receiver([410]);
    try {
      const delivery = await finishedTask(rx.url);
      const settled = await waitDelivery(delivery.id, "gone");
      expect(settled.sealedPassword).toBeNull();
      await new Promise((r) => setTimeout(r, 2500)); // longer than the test schedule's gap + polling
      expect(rx.requests).toHaveLength(1);
      expect(await listAttempts(h.database.db, delivery.id)).toHaveLength(1);
    } finally {
      await rx.close();
    }
  });

  it("SSRF: a blocked callback URL records blocked_by_policy attempts and never connects", async () => {
    // 127.0.0.2 is loopback but outside the test allowlist (127.0.0.1/32)
    const rx = await receiver([200], "127.0.0.2");
    try {
      const delivery = await finishedTask(rx.url);
      const settled = await waitDelivery(delivery.id, "failed");
      expect(settled.sealedPassword).toBeNull();
      const attempts = await listAttempts(h.database.db, delivery.id);
      expect(attempts).toHaveLength(4);
      for (const a of attempts)
        expect([a.errorClass, a.httpStatus, a.outcome]).toEqual(["blocked_by_policy", 0, "blocked"]);
      expect(rx.connections()).toBe(0);
    } finally {
      await rx.close();
    }
  });

  it("per-key signing secrets: the key's own secret signs; a rotation's overlap signs with both, then only the new", async () => {
    const first = generateWebhookSecret();
    const second = generateWebhookSecret();
    const name = `k-${randomUUID()}`;
    const { id: keyId } = await createApiKey(h.database.db, {
      name,
      scopes: ["desktop"],
      sealedSigningSecret: h.box.seal(first),
    });
    const rx = await receiver([200, 200, 200]);
    try {
      const signaturesOf = async (n: number) => {
        const delivery = await finishedTask(rx.url, keyId);
        await rx.received(n);
        await waitDelivery(delivery.id, "delivered");
        return rx.requests[n - 1]!;
      };
      const own = await signaturesOf(1);
      expect(String(own.headers["webhook-signature"]).split(" ")).toHaveLength(1);
      expect(verify(first, own).data.task_id).toBeTruthy();
      expect(() => verify(h.webhookSecret, own)).toThrow();

      expect(await rotateSigningSecret(h.database.db, name, h.box.seal(second), 3_600_000)).not.toBeNull();
      const during = await signaturesOf(2);
      expect(String(during.headers["webhook-signature"]).split(" ")).toHaveLength(2);
      expect(verify(second, during).data.task_id).toBeTruthy();
      expect(verify(first, during).data.task_id).toBeTruthy();

      await h.database
        .sql`update api_keys set previous_signing_secret_expires_at = now() - interval '1 second' where id = ${keyId}`;
      const after = await signaturesOf(3);
      expect(String(after.headers["webhook-signature"]).split(" ")).toHaveLength(1);
      expect(verify(second, after).data.task_id).toBeTruthy();
      expect(() => verify(first, after)).toThrow();
    } finally {
      await rx.close();
    }
  });

  it("a key without a secret of its own signs with the global one, and with both during its first rotation", async () => {
    const name = `k-${randomUUID()}`;
    const { id: keyId } = await createApiKey(h.database.db, { name, scopes: ["desktop"] });
    const rx = await receiver([200, 200]);
    try {
      const before = await finishedTask(rx.url, keyId);
      await rx.received(1);
      await waitDelivery(before.id, "delivered");
      expect(verify(h.webhookSecret, rx.requests[0]!).data.task_id).toBeTruthy();

      const own = generateWebhookSecret();
      expect(await rotateSigningSecret(h.database.db, name, h.box.seal(own), 3_600_000)).not.toBeNull();
      expect(await rotateSigningSecret(h.database.db, "no-such-key", h.box.seal(own), 1000)).toBeNull();
      const during = await finishedTask(rx.url, keyId);
      await rx.received(2);
      await waitDelivery(during.id, "delivered");
      const r = rx.requests[1]!;
      expect(verify(own, r).data.task_id).toBeTruthy();
      expect(verify(h.webhookSecret, r).data.task_id).toBeTruthy();
    } finally {
      await rx.close();
    }
  });

  it('operator redelivery: same webhook-id and body, new signature, trigger manual; wiped password is ""', async () => {
    const rx = await receiver([200]);
    try {
      const delivery = await finishedTask(rx.url);
      await rx.received(1);
      await waitDelivery(delivery.id, "delivered");
      const later = { ...h.deps, now: () => new Date(Date.now() + 60_000) };
      const outcome = await redeliver(later, delivery.id);
      expect(outcome).toMatchObject({ attempt: 2, state: "delivered" });
      const [first, second] = rx.requests;
      expect(second!.headers["webhook-id"]).toBe(first!.headers["webhook-id"]);
      expect(second!.headers["webhook-timestamp"]).not.toBe(first!.headers["webhook-timestamp"]);
      expect(second!.headers["webhook-signature"]).not.toBe(first!.headers["webhook-signature"]);
      expect(JSON.parse(second!.body)).toEqual({
        ...JSON.parse(first!.body),
        data: { ...JSON.parse(first!.body).data, password: "" },
      });
      const attempts = await listAttempts(h.database.db, delivery.id);
      expect(attempts.map((a) => a.trigger)).toEqual(["scheduled", "manual"]);
      expect(await redeliver(h.deps, randomUUID())).toBeNull();
    } finally {
      await rx.close();
    }
  });
});

describe("the retry schedule (RELIABILITY.md 2), driven attempt by attempt", () => {
  it("0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h with jitter that only lengthens; timeouts wait ≥ 60 s; then failed", async () => {
    const queue: DeliveryAttemptResult[] = [];
    const failing: DeliveryAttemptResult = {
      ok: false,
      status: 500,
      errorClass: "http_status",
      latencyMs: 3,
      responsePrefix: "",
      retryAfterSec: null,
      gone: false,
      detail: "HTTP 500",
    };
    const timeout: DeliveryAttemptResult = {
      ...failing,
      status: 0,
      errorClass: "timeout",
      detail: "no response",
    };
    const deps = {
      ...h.deps,
      callbackRetryDelaySec: undefined, // the real schedule
      deliverer: { deliver: async () => queue.shift() ?? failing, close: async () => {} },
    };
    // a delivery that the running worker will not touch: its first job is never enqueued
    const id = randomUUID();
    await insertTask(h.database.db, {
      id,
      kind: "desktop.apply",
      request: {},
      callbackUrl: "http://127.0.0.1:9/cb",
    });
    const deliveryId = randomUUID();
    await h.database.db.insert(schema.callbackDeliveries).values({
      id: deliveryId,
      taskId: id,
      webhookId: `msg_${deliveryId.replaceAll("-", "")}`,
      url: "http://127.0.0.1:9/cb",
      body: JSON.stringify({ data: { task_id: id, password: "" }, message: "", status: "0" }),
      sealedPassword: h.box.seal("pw"),
    });
    queue.push(timeout); // attempt 1 times out: the 5 s gap becomes ≥ 60 s
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 8; attempt++) {
      await deliverCallback(deps, { data: { delivery_id: deliveryId, attempt } });
      const [row] = await h.database.sql<{ delay: number | null; state: string; sealed: string | null }[]>`
        select extract(epoch from next_attempt_at - now())::float8 as delay, state, sealed_password as sealed
        from callback_deliveries where id = ${deliveryId}`;
      if (attempt < 8) {
        expect(row!.state).toBe("pending");
        delays.push(row!.delay!);
        const jobs = await h.database.sql<{ wait: number }[]>`
          select extract(epoch from start_after - created_on)::float8 as wait from pgboss.job
          where name = 'callback.deliver' and data->>'delivery_id' = ${deliveryId} and (data->>'attempt')::int = ${attempt + 1}`;
        expect(jobs).toHaveLength(1);
        expect(jobs[0]!.wait).toBeGreaterThanOrEqual(
          Math.max(RETRY_SCHEDULE_SECONDS[attempt]!, attempt === 1 ? 60 : 0) - 1,
        );
        // keep the real worker off these far-future jobs
        await h.database
          .sql`delete from pgboss.job where name = 'callback.deliver' and data->>'delivery_id' = ${deliveryId}`;
      } else {
        expect(row).toMatchObject({ state: "failed", delay: null, sealed: null });
      }
    }
    expect(delays[0]).toBeGreaterThanOrEqual(59);
    expect(delays[0]).toBeLessThanOrEqual(72 + 1);
    for (let i = 1; i < 7; i++) {
      const nominal = RETRY_SCHEDULE_SECONDS[i + 1]!;
      expect(delays[i]).toBeGreaterThanOrEqual(nominal - 1);
      expect(delays[i]).toBeLessThanOrEqual(nominal * 1.2 + 1);
    }
    const total = delays.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(24 * 3600);
    expect(await listAttempts(h.database.db, deliveryId)).toHaveLength(8);
  });
});

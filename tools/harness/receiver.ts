import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface Arrival {
  at: number;
  ok: boolean;
  message: string;
}

/** One callback POST as the receiver saw it (also while it was "down"). */
export interface Delivery {
  at: number;
  taskId: string | null;
  webhookId: string;
  /** What the receiver answered: 200, or 503 while down. */
  answered: number;
  /** The raw body, as sent. */
  body: string;
  /** Signature checked with the receiver's secret; null when it has none. */
  verified: boolean | null;
}

export interface Receiver {
  url: string;
  /** task id → first callback arrival that was answered 200 (performance.now() of this process). */
  arrivals: Map<string, Arrival>;
  /** Every callback POST, in order. */
  deliveries: Delivery[];
  /** While down, every callback is answered 503 (and still recorded). */
  setDown(down: boolean): void;
  upstreamCalls(): number;
  reset(): void;
  close(): Promise<void>;
}

/** Ports of the receivers this process has open (until closed): see `receiverAllowlist`. */
const openPorts = new Set<number>();

/**
 * The callback allowlist of the harness's deskgate processes (`deskgateEnv`): exactly the ports of
 * the receivers this process has open, `127.0.0.1:<port>,…` — nothing else on 127.0.0.1 (issue
 * 17.4). Start the receiver before the stack; "" (nothing local opened) when none is open.
 */
export function receiverAllowlist(): string {
  return [...openPorts].map((port) => `127.0.0.1:${port}`).join(",");
}

/**
 * The local callback receiver (and the floor pipeline's "upstream"): answers 200 at once,
 * records when each task's callback arrived and every POST with its `webhook-id`. With a
 * `secret` each signature is verified (Standard Webhooks, over the raw bytes); the bench
 * passes none (not the figure being measured).
 */
export async function startReceiver(opts: { secret?: string } = {}): Promise<Receiver> {
  const arrivals = new Map<string, Arrival>();
  const deliveries: Delivery[] = [];
  const verifier = opts.secret ? new Webhook(opts.secret) : null;
  let upstream = 0;
  let down = false;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = performance.now();
      if (req.url?.startsWith("/upstream")) upstream++;
      else {
        const raw = Buffer.concat(chunks).toString("utf8");
        const answered = down ? 503 : 200;
        try {
          const body = JSON.parse(raw) as { data?: { task_id?: string }; status?: string; message?: string };
          const id = body.data?.task_id;
          deliveries.push({
            at,
            taskId: id ?? null,
            webhookId: String(req.headers["webhook-id"] ?? ""),
            answered,
            body: raw,
            verified: verifier ? verify(verifier, raw, req.headers) : null,
          });
          if (id && answered === 200 && !arrivals.has(id))
            arrivals.set(id, { at, ok: body.status === "0", message: body.message ?? "" });
        } catch {
          // not JSON: ignored
        }
        if (answered !== 200) {
          res.writeHead(answered, { "content-type": "text/plain" }).end("receiver down");
          return;
        }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  openPorts.add(port);
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    deliveries,
    setDown: (value) => {
      down = value;
    },
    upstreamCalls: () => upstream,
    reset: () => {
      arrivals.clear();
      deliveries.length = 0;
      upstream = 0;
      down = false;
    },
    close: () =>
      new Promise<void>((r) => {
        openPorts.delete(port);
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

function verify(verifier: Webhook, raw: string, headers: Record<string, string | string[] | undefined>) {
  try {
    verifier.verify(raw, headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

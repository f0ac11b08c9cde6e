import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface Arrival {
  at: number;
  ok: boolean;
  message: string;
}

export interface Receiver {
  url: string;
  /** task id → first callback arrival (performance.now() of this process). */
  arrivals: Map<string, Arrival>;
  upstreamCalls(): number;
  reset(): void;
  close(): Promise<void>;
}

/**
 * The local callback receiver (and the floor pipeline's "upstream"): answers 200 at once and
 * records when each task's callback arrived. Signatures are not checked: that is not the
 * figure being measured.
 */
export async function startReceiver(): Promise<Receiver> {
  const arrivals = new Map<string, Arrival>();
  let upstream = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = performance.now();
      if (req.url?.startsWith("/upstream")) upstream++;
      else {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
            data?: { task_id?: string };
            status?: string;
            message?: string;
          };
          const id = body.data?.task_id;
          if (id && !arrivals.has(id))
            arrivals.set(id, { at, ok: body.status === "0", message: body.message ?? "" });
        } catch {
          // not JSON: ignored
        }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    upstreamCalls: () => upstream,
    reset: () => {
      arrivals.clear();
      upstream = 0;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

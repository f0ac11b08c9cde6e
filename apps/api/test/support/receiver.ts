import { createServer } from "node:http";

export interface Received {
  headers: Record<string, string>;
  raw: string;
  body: { data: Record<string, unknown>; message: string; status: string };
}

/**
 * A local callback receiver for tests. `next(n)` resolves when n callbacks have arrived
 * (event-driven, no sleeps). `respond` decides each answer (default 204).
 */
export async function startReceiver(respond: (count: number) => number = () => 204) {
  const received: Received[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const status = respond(received.length + 1);
      if (status >= 200 && status < 300) received.push({ headers, raw, body: JSON.parse(raw) });
      res.writeHead(status).end();
      for (const w of waiters.filter((w) => received.length >= w.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/callbacks`,
    received,
    /** Resolves once at least `n` callbacks were received, or rejects after `timeoutMs`. */
    waitFor(n: number, timeoutMs = 20_000): Promise<Received[]> {
      if (received.length >= n) return Promise.resolve(received);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${received.length} of ${n} callbacks arrived`)),
          timeoutMs,
        );
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve(received);
          },
        });
      });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

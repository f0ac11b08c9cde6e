import { createServer, type Server } from "node:http";
import { Webhook } from "standardwebhooks";

export interface ReceivedCallback {
  path: string;
  headers: Record<string, string>;
  body: unknown;
  verified: boolean;
  /** The name of the secret whose signature verified, when one did. */
  verifiedWith?: string;
}

/**
 * A tiny callback receiver for the dev stack: it verifies each callback's Standard
 * Webhooks signature over the raw bytes (as a real receiver must) with each of the named
 * secrets it knows, and reports it.
 */
export function startInbox(opts: {
  port: number;
  /** Secret name → `whsec_…` secret, tried in order. */
  secrets: Record<string, string>;
  onCallback: (callback: ReceivedCallback) => void;
}): Promise<{ url: string; server: Server; received: ReceivedCallback[] }> {
  const webhooks = Object.entries(opts.secrets).map(([name, secret]) => ({
    name,
    webhook: new Webhook(secret),
  }));
  const received: ReceivedCallback[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      if (req.method === "GET") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(received, null, 2));
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const verifiedWith = webhooks.find(({ webhook }) => {
        try {
          webhook.verify(raw, headers);
          return true;
        } catch {
          return false;
        }
      })?.name;
      const verified = verifiedWith !== undefined;
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {}
      const callback = { path: req.url ?? "/", headers, body, verified, verifiedWith };
      received.push(callback);
      opts.onCallback(callback);
      res.writeHead(verified ? 204 : 401);
      res.end();
    });
  });
  return new Promise((resolve) => {
    server.listen(opts.port, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : opts.port;
      resolve({ url: `http://127.0.0.1:${port}`, server, received });
    });
  });
}

import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import { buildApp } from "./app.ts";
import { createContext, resetContext } from "./context.ts";
import { resolveOptions, type SimOptions } from "./options.ts";

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface Sim {
  /** For in-process use (`app.request(...)`). */
  app: Hono;
  /** Back to the seeded state; faults and statistics cleared, running jobs cancelled. */
  reset(): void;
  /** Serves the app; port 0 picks a free port. `close()` also cancels the job timers. */
  listen(port?: number, host?: string): Promise<Listening>;
}

export function createSim(options?: SimOptions): Sim {
  const ctx = createContext(resolveOptions(options));
  const reset = () => resetContext(ctx);
  const app = buildApp(ctx, reset);
  return {
    app,
    reset,
    listen: (port = 0, host = "127.0.0.1") =>
      new Promise((resolve, reject) => {
        const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => {
          server.off("error", reject);
          const shownHost = host.includes(":") ? `[${host}]` : host;
          resolve({
            url: `http://${shownHost}:${info.port}`,
            port: info.port,
            close: () =>
              new Promise<void>((done, fail) => {
                ctx.scheduler.clear();
                server.close((error) => (error ? fail(error) : done()));
                server.closeAllConnections();
              }),
          });
        }) as Server;
        server.once("error", reject);
      }),
  };
}

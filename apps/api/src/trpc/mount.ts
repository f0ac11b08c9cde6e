import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { clientAddress } from "../middleware/auth.ts";
import { appRouter } from "./router.ts";

/** The tRPC router at /trpc in the same Hono app (fetch adapter; SSE for subscriptions). */
export function mountTrpc(app: Hono, deps: ApiDeps): void {
  app.all("/trpc/*", (c) =>
    fetchRequestHandler({
      endpoint: "/trpc",
      req: c.req.raw,
      router: appRouter,
      createContext: () => ({
        deps,
        headers: c.req.raw.headers,
        client: clientAddress(c),
        requestId: c.get("requestId"),
        onCaller: (caller) => c.set("caller", caller), // the request log line names the key
      }),
      onError: ({ error, path }) => {
        if (error.code === "INTERNAL_SERVER_ERROR") {
          deps.logger.error(
            { err: error.cause ?? error, request_id: c.get("requestId"), path },
            "trpc error",
          );
        }
      },
    }),
  );
}

import type { AppRouter } from "@deskgate/api";
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
  type TRPCClientError,
} from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { EventSource } from "eventsource";

// In the built package (scripts/build.ts) this type comes from dist/router.d.ts, the router's
// declarations alone: no server code, nothing of the workspace.
export type { AppRouter } from "@deskgate/api";
/** Inputs and outputs of every procedure, e.g. `RouterOutputs["tasks"]["get"]` (the task view). */
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export interface DeskgateClientOptions {
  /** The api's base URL, e.g. `http://127.0.0.1:8080` (the router is served at `/trpc`). */
  url: string;
  /** An API key (`dg_…`); sent as `Authorization: Bearer` on every call and subscription. */
  apiKey: string;
  /** `zh-CN` gives Chinese error messages. */
  acceptLanguage?: string;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof globalThis.fetch;
}

export type DeskgateClient = TRPCClient<AppRouter>;

/**
 * What a failed call rejects with: `@trpc/client`'s `TRPCClientError` (a peer dependency, so
 * `error instanceof TRPCClientError` holds with the app's own import). `message` is the REST
 * envelope's message (e.g. "os: must be one of …"), `data.code` the tRPC code (`BAD_REQUEST`,
 * `NOT_FOUND`, …) and `data.httpStatus` the REST status.
 */
export type DeskgateClientError = TRPCClientError<AppRouter>;

/**
 * A typed tRPC client for deskgate: queries and mutations go batched over HTTP, subscriptions
 * (`tasks.watch`) over Server-Sent Events, both with the API key in the headers.
 *
 * ```ts
 * const dg = createDeskgateClient({ url: "http://127.0.0.1:8080", apiKey: process.env.DESKGATE_KEY! });
 * const { task_id } = await dg.desktop.open.mutate({ username: "lab", os: "win10", callback_url });
 * dg.tasks.watch.subscribe({ task_id }, { onData: (task) => console.log(task.state) });
 * ```
 */
export function createDeskgateClient(options: DeskgateClientOptions): DeskgateClient {
  const base = `${options.url.replace(/\/+$/, "")}/trpc`;
  const doFetch = options.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.apiKey}`,
    ...(options.acceptLanguage ? { "accept-language": options.acceptLanguage } : {}),
  };
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url: base,
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input: string | URL | Request, init?: RequestInit) =>
              doFetch(input, {
                ...init,
                headers: { ...(init?.headers as Record<string, string>), ...headers },
              }),
          }),
        }),
        false: httpBatchLink({ url: base, headers, fetch: doFetch }),
      }),
    ],
  });
}

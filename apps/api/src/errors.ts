import {
  defaultMessage,
  type ErrorCode,
  httpStatusOf,
  type Language,
  type StatusStyle,
} from "@deskgate/contracts";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Outcome, Text } from "./services/reply.ts";

/** An expected rejection, carried to the one place that turns it into the envelope. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly headers: Record<string, string>;
  readonly text: Text | undefined;
  constructor(code: ErrorCode, message?: string | Text, headers: Record<string, string> = {}) {
    const t = typeof message === "string" ? { en: message, zh: message } : message;
    super(t?.en ?? code);
    this.name = "ApiError";
    this.code = code;
    this.headers = headers;
    this.text = t;
    if (message === undefined) this.message = "";
  }
}

/**
 * The envelope, with the seed's field order: `data, message, status` on the POSTs
 * (`"0"`/`"-1"`), `data, status, message` on the GETs (`0`/`-1`).
 */
export function envelope(style: StatusStyle, data: unknown, message: string, failed: boolean) {
  return style === "string"
    ? { data, message, status: failed ? "-1" : "0" }
    : { data, status: failed ? -1 : 0, message };
}

/** The seed writes `status` as a number on its GET endpoints and a string on its POSTs. */
export function styleOf(c: Context): StatusStyle {
  return c.req.method === "GET" || c.req.method === "HEAD" ? "number" : "string";
}

/**
 * The envelope's `data` on failure: `[]` where the success data is a list (the GETs),
 * `null` for a task (GET /api/tasks/{id}), else `{}`.
 */
function emptyData(c: Context, style: StatusStyle): unknown {
  if (style === "number") return c.req.path.startsWith("/api/tasks/") ? null : [];
  return {};
}

export function errorResponse(
  c: Context,
  code: ErrorCode,
  message: string | Text | undefined,
  lang: Language,
  headers: Record<string, string> = {},
) {
  const style = styleOf(c);
  const t = typeof message === "string" ? message : message?.[lang];
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  return c.json(
    envelope(style, emptyData(c, style), t || defaultMessage(code, lang), true),
    httpStatusOf(code) as ContentfulStatusCode,
  );
}

/** Turn an operation's outcome into the endpoint's envelope. */
export function outcomeResponse(c: Context, outcome: Outcome, lang: Language) {
  if (outcome.kind === "rejected") {
    return errorResponse(c, outcome.code, outcome.message, lang, outcome.headers);
  }
  const style = styleOf(c);
  for (const [name, value] of Object.entries(outcome.headers ?? {})) c.header(name, value);
  const message = outcome.message ? outcome.message[lang] : "";
  const body = envelope(style, outcome.data ?? emptyData(c, style), message, !outcome.ok);
  return c.json(body, outcome.http as ContentfulStatusCode);
}

/** A database that cannot answer now (down, restarting, shutting down, a statement timeout): 503. */
export function isDatabaseDown(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: string })?.code;
    if (
      code === "ECONNREFUSED" ||
      code === "ECONNRESET" ||
      code === "CONNECTION_CLOSED" ||
      code === "CONNECTION_ENDED" ||
      code === "CONNECTION_DESTROYED" ||
      code === "CONNECT_TIMEOUT" ||
      code === "57P01" ||
      code === "57P03" ||
      code === "57014"
    ) {
      return true;
    }
  }
  return false;
}

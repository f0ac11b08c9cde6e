import {
  defaultMessage,
  type ErrorCode,
  fail,
  httpStatusOf,
  type Language,
  type StatusStyle,
} from "@deskgate/contracts";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An expected rejection, carried to the one place that turns it into the envelope. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly headers: Record<string, string>;
  constructor(code: ErrorCode, message?: string, headers: Record<string, string> = {}) {
    super(message ?? code);
    this.name = "ApiError";
    this.code = code;
    this.headers = headers;
    if (message === undefined) this.message = "";
  }
}

/** The seed writes `status` as a number on its GET endpoints and a string on its POSTs. */
export function styleOf(c: Context): StatusStyle {
  return c.req.method === "GET" || c.req.method === "HEAD" ? "number" : "string";
}

/** The envelope's `data` on failure: `[]` where the success data is a list (the GETs), else `{}`. */
function emptyData(style: StatusStyle): unknown {
  return style === "number" ? [] : {};
}

export function errorResponse(c: Context, code: ErrorCode, message: string | undefined, lang: Language) {
  const style = styleOf(c);
  const text = message || defaultMessage(code, lang);
  return c.json(fail(emptyData(style), text, style), httpStatusOf(code) as ContentfulStatusCode);
}

import type { Context } from "hono";
import type { z } from "zod";
import { ApiError } from "../errors.ts";

/**
 * Read and validate a JSON body against a contract schema. Wrong content type → 415,
 * malformed JSON → 400, schema violations → 400 naming every bad field ("username: is
 * required; os: must be one of …"). Unknown fields are ignored.
 */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  return (await readJsonBody(c, schema)).data;
}

/** As `readJson`, also returning the body as parsed (for the Idempotency-Key fingerprint). */
export async function readJsonBody<S extends z.ZodType>(
  c: Context,
  schema: S,
): Promise<{ data: z.infer<S>; raw: unknown }> {
  const type = c.req.header("content-type");
  if (type && !/^application\/([a-z0-9.+-]*\+)?json\b/i.test(type.trim())) {
    throw new ApiError("unsupported_media_type");
  }
  const text = await c.req.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(
      "invalid_json",
      text.trim() === "" ? "The request body is empty; a JSON object is required" : undefined,
    );
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new ApiError("invalid_request", "The request body must be a JSON object");
  }
  if (deeperThan(body, MAX_DEPTH)) {
    throw new ApiError(
      "invalid_request",
      `The request body is nested too deeply (at most ${MAX_DEPTH} levels)`,
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError("invalid_request", formatIssues(parsed.error.issues, body));
  return { data: parsed.data, raw: body };
}

/** No contract nests half as deep; a deeper body is refused before anything walks it recursively. */
const MAX_DEPTH = 32;

/** Whether a parsed JSON value nests objects or arrays more than `max` levels (iteratively). */
function deeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

export function formatIssues(issues: readonly z.core.$ZodIssue[], body: unknown): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const issue of issues) {
    const field = issue.path.map(String).join(".") || "body";
    if (seen.has(field)) continue;
    seen.add(field);
    // optional fields raise no issue when absent, so an absent value here is a required one
    const missing = issue.path.length > 0 && valueAt(body, issue.path) === undefined;
    parts.push(`${field}: ${missing ? "is required" : issue.message}`);
  }
  return parts.join("; ");
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = body;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

import type { Context } from "hono";
import { badRequest } from "./errors.ts";

export type Body = Record<string, unknown>;

/** The JSON object body of a VDI request; anything else is 400 WKS.0001. */
export async function readBody(c: Context): Promise<Body> {
  const text = await c.req.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest("The request body is empty or is not valid JSON.");
  }
  if (!isObject(parsed)) throw badRequest("The request body must be a JSON object.");
  return parsed;
}

export function isObject(value: unknown): value is Body {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(path: string, rule: string): Error {
  return badRequest(`Invalid parameter: ${path} ${rule}.`);
}

export function optString(
  body: Body,
  key: string,
  path = key,
  max = Number.POSITIVE_INFINITY,
): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalid(path, "must be a string");
  if (value.length > max) throw invalid(path, `must be at most ${max} characters`);
  return value;
}

export function reqString(body: Body, key: string, path = key, max = Number.POSITIVE_INFINITY): string {
  const value = optString(body, key, path, max);
  if (value === undefined || value === "") throw invalid(path, "is required");
  return value;
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], path: string): T {
  if (!(allowed as readonly string[]).includes(value))
    throw invalid(path, `must be one of ${allowed.join(", ")}`);
  return value as T;
}

export function optBool(body: Body, key: string, path = key): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw invalid(path, "must be a boolean");
  return value;
}

export function reqInt(body: Body, key: string, path = key): number {
  const value = body[key];
  if (value === undefined || value === null) throw invalid(path, "is required");
  if (!Number.isInteger(value)) throw invalid(path, "must be an integer");
  return value as number;
}

export function reqObject(body: Body, key: string, path = key): Body {
  const value = body[key];
  if (!isObject(value)) throw invalid(path, "is required and must be an object");
  return value;
}

export function optArray(
  body: Body,
  key: string,
  path = key,
  max = Number.POSITIVE_INFINITY,
): unknown[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalid(path, "must be an array");
  if (value.length > max) throw invalid(path, `must have at most ${max} entries`);
  return value;
}

export function objectAt(list: unknown[], index: number, path: string): Body {
  const value = list[index];
  if (!isObject(value)) throw invalid(`${path}[${index}]`, "must be an object");
  return value;
}

export interface Page {
  limit: number;
  offset: number;
}

/** `limit` / `offset` query parameters (sent as strings by the SDK); `defaultLimit` null = everything. */
export function readPage(c: Context, defaultLimit: number | null, maxLimit: number): Page {
  const limit = queryInt(c, "limit", 0, maxLimit) ?? defaultLimit ?? Number.MAX_SAFE_INTEGER;
  const offset = queryInt(c, "offset", 0, Number.MAX_SAFE_INTEGER) ?? 0;
  return { limit, offset };
}

function queryInt(c: Context, name: string, min: number, max: number): number | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw invalid(name, `must be an integer in ${min}..${max}`);
  return value;
}

export function paginate<T>(items: T[], page: Page): T[] {
  return items.slice(page.offset, page.offset + page.limit);
}

/** 204 with the headers every response carries. */
export function noContent(c: Context): Response {
  return c.body(null, 204, { "Content-Type": "application/json" });
}

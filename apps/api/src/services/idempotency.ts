import { createHash } from "node:crypto";
import {
  completeIdempotencyRecord,
  type Executor,
  findIdempotencyRecord,
  getTask,
  type IdempotencyRow,
  type IdempotencyScope,
  lockIdempotencyRecord,
  type TaskRow,
} from "@deskgate/db";
import type { ApiDeps } from "../deps.ts";
import { type Outcome, type Reply, rejected, text } from "./reply.ts";
import { isTerminal } from "./task-waiter.ts";

/** An Idempotency-Key request: its scope and the fingerprint of its body. */
export interface IdempotentRequest {
  scope: IdempotencyScope;
  fingerprint: string;
  /** The fingerprint as records made before keyed fingerprints hold it (plain SHA-256). */
  legacyFingerprint: () => string;
}

/**
 * Check an `Idempotency-Key` header value: 1–255 printable ASCII characters (RELIABILITY.md
 * 4). A structured-field string (`"abc"`, as the IETF draft writes it) is unquoted.
 * Returns the key, or a reason.
 */
export function parseIdempotencyKey(raw: string): { ok: true; key: string } | { ok: false; reason: string } {
  const key = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  if (key.length === 0) return { ok: false, reason: "Idempotency-Key must not be empty" };
  if (key.length > 255) return { ok: false, reason: "Idempotency-Key must be at most 255 characters" };
  if (!/^[\x20-\x7e]+$/.test(key)) {
    return { ok: false, reason: "Idempotency-Key may contain only printable ASCII characters" };
  }
  return { ok: true, key };
}

/**
 * The body's fingerprint: a keyed HMAC of its canonical JSON (object keys sorted, no
 * whitespace), `h1:<hex>` — a plain hash of a pwd-reset's body would let anyone who reads the
 * table guess the password offline (issue 17.8).
 */
export function fingerprintOf(box: Pick<ApiDeps["box"], "mac">, body: unknown): string {
  return `h1:${box.mac(canonicalJson(body))}`;
}

/**
 * An Idempotency-Key request of any surface, scoped by (API key, method, path, key), with its
 * body's fingerprint: REST (the header, the route's method and path) and tRPC (the
 * `idempotencyKey` input, method `TRPC`, the procedure's path) share it. A malformed key is the
 * reason it is refused (400).
 */
export function idempotentRequest(
  box: Pick<ApiDeps["box"], "mac">,
  apiKeyId: string,
  at: { method: string; path: string },
  rawKey: string,
  body: unknown,
): { ok: true; request: IdempotentRequest } | { ok: false; reason: string } {
  const parsed = parseIdempotencyKey(rawKey);
  if (!parsed.ok) return parsed;
  return {
    ok: true,
    request: {
      scope: { apiKeyId, method: at.method, path: at.path, key: parsed.key },
      fingerprint: fingerprintOf(box, body),
      legacyFingerprint: () => legacyFingerprintOf(body),
    },
  };
}

/** Records stored before keyed fingerprints (within their TTL after an upgrade) hold this. */
export function legacyFingerprintOf(body: unknown): string {
  return createHash("sha256").update(canonicalJson(body)).digest("hex");
}

/** Whether a stored record was made for the same body. */
function sameBody(stored: string, request: IdempotentRequest): boolean {
  return stored.startsWith("h1:") ? stored === request.fingerprint : stored === request.legacyFingerprint();
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** How a stored reply is kept: in clear, or sealed whole when it holds a secret. */
export function storedForm(deps: Pick<ApiDeps, "box">, reply: Reply) {
  const body = JSON.stringify(reply);
  return reply.secret
    ? { status: reply.http, body: null, sealed: deps.box.seal(body) }
    : { status: reply.http, body, sealed: null };
}

function storedReply(deps: Pick<ApiDeps, "box">, row: IdempotencyRow): Reply {
  const body = row.responseSealed ? deps.box.open(row.responseSealed) : row.responseBody!;
  return JSON.parse(body) as Reply;
}

/** Builds a synchronous request's answer from its ended task (reads through `db`). */
export type TaskAnswer = (task: TaskRow, db: Executor) => Promise<Reply>;

/**
 * Settle a synchronous request's record once its task has ended: under a row lock, so the
 * original request and a retry never both build the answer (a password is handed over once,
 * and whoever takes it stores it). Returns the stored answer if another got there first.
 */
export async function finishIdempotent(
  deps: ApiDeps,
  recordId: string,
  taskId: string,
  answer: TaskAnswer,
): Promise<Reply> {
  return deps.database.db.transaction(async (tx) => {
    const row = await lockIdempotencyRecord(tx, recordId);
    if (row?.state === "done") return storedReply(deps, row);
    const task = (await getTask(tx, taskId))!;
    const reply = await answer(task, tx);
    if (row) await completeIdempotencyRecord(tx, row.id, storedForm(deps, reply));
    return reply;
  });
}

/**
 * The answer an earlier request with this key already decided, or null when there is none.
 * Same key + another body → 422. A synchronous request still running → 409 with
 * `Retry-After: 1`; once its task has ended, the final answer is made from the task (by
 * `answer`), stored and replayed.
 */
export async function replayIdempotent(
  deps: ApiDeps,
  request: IdempotentRequest,
  answer: TaskAnswer | undefined,
): Promise<Outcome | null> {
  const row = await findIdempotencyRecord(deps.database.db, request.scope);
  if (!row) return null;
  if (!sameBody(row.fingerprint, request)) return rejected("idempotency_mismatch");
  if (row.state === "done") {
    return { ...storedReply(deps, row), headers: { "Idempotent-Replayed": "true" } };
  }
  const task = row.taskId ? await getTask(deps.database.db, row.taskId) : undefined;
  if (task && isTerminal(task.state) && answer) return finishIdempotent(deps, row.id, task.id, answer);
  return rejected(
    "conflict",
    text(
      "A request with this Idempotency-Key is still in progress; retry shortly",
      "使用该 Idempotency-Key 的请求仍在处理中,请稍后重试",
    ),
    { "Retry-After": "1" },
  );
}

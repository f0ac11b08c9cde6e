import { randomUUID } from "node:crypto";
import { Agent, type buildConnector, request, errors as undiciErrors } from "undici";
import { UpstreamError } from "./errors.ts";
import type { RateLimiter } from "./rate-limit.ts";

export interface JsonResponse {
  status: number;
  body: unknown;
  requestId: string | null;
  retryAfterMs: number | null;
  /** A response header (first value), by lower-case name. */
  header?(name: string): string | null;
}

/** The largest upstream answer read (a page of 1 000 desktops is well under 2 MiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * A small JSON-over-HTTP client on undici (much faster than global fetch here), with a
 * per-request timeout and the client-side rate limiter. It returns every HTTP answer;
 * transport failures become transient UpstreamErrors. Adapters classify the rest.
 */
export class JsonHttpClient {
  readonly #agent: Agent;
  readonly #timeoutMs: number;
  readonly #limiter: RateLimiter;
  readonly #maxResponseBytes: number;

  constructor(opts: {
    timeoutMs: number;
    limiter: RateLimiter;
    connections?: number;
    /** How connections are made (an address policy's guarded connector); default undici's. */
    connect?: buildConnector.connector;
    /** Answers beyond this are not read (issue 17.10): the call fails, not the process. */
    maxResponseBytes?: number;
  }) {
    this.#timeoutMs = opts.timeoutMs;
    this.#maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#limiter = opts.limiter;
    this.#agent = new Agent({
      connections: opts.connections ?? 32,
      keepAliveTimeout: 10_000,
      ...(opts.connect ? { connect: opts.connect } : {}),
    });
  }

  async call(
    method: string,
    url: string,
    headers: Record<string, string>,
    /** The JSON text to send, exactly (signers hash these bytes). */
    body?: string,
  ): Promise<JsonResponse> {
    await this.#limiter.take();
    // undici checks its own timeouts on a coarse (~0.5 s) clock: the signal makes the bound exact.
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      const res = await request(url, {
        signal,
        method: method as "GET",
        dispatcher: this.#agent,
        headers: {
          accept: "application/json",
          "x-request-id": randomUUID(),
          ...headers,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
      const text = await readBounded(res.body, this.#maxResponseBytes, method, url);
      let parsed: unknown = null;
      if (text) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = { raw: text.slice(0, 500) };
        }
      }
      return {
        status: res.statusCode,
        body: parsed,
        requestId: headerValue(res.headers["x-request-id"]),
        retryAfterMs: parseRetryAfter(headerValue(res.headers["retry-after"])),
        header: (name) => headerValue(res.headers[name.toLowerCase()]),
      };
    } catch (e) {
      if (e instanceof UpstreamError) throw e;
      throw transportError(signal.aborted ? signal.reason : e, method, url);
    }
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}

/** The body as text, refusing (and dropping the connection) past `max` bytes. */
async function readBounded(
  body: AsyncIterable<Buffer> & { destroy(error?: Error): unknown },
  max: number,
  method: string,
  url: string,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      body.destroy();
      throw new UpstreamError({
        message: `${method} ${new URL(url).pathname} answered more than ${max} bytes; not read`,
        transient: false,
        reason: "invalid",
      });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function headerValue(v: string | string[] | undefined): string | null {
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

function transportError(e: unknown, method: string, url: string): UpstreamError {
  const path = new URL(url).pathname;
  const timeout =
    e instanceof undiciErrors.HeadersTimeoutError ||
    e instanceof undiciErrors.BodyTimeoutError ||
    (e instanceof Error && e.name === "TimeoutError");
  const message = e instanceof Error ? e.message : String(e);
  const blocked = [e, (e as { cause?: unknown })?.cause].find(
    (x) => (x as { code?: unknown } | null)?.code === "ERR_BLOCKED_BY_POLICY",
  );
  if (blocked) {
    return new UpstreamError({
      message: `${method} ${path} refused by the upstream address policy: ${(blocked as Error).message}`,
      transient: false,
      reason: "invalid",
    });
  }
  return new UpstreamError({
    message: timeout ? `${method} ${path} timed out` : `${method} ${path} failed: ${message}`,
    transient: true,
    reason: timeout ? "timeout" : "unavailable",
  });
}

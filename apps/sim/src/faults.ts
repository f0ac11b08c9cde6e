import { mulberry32, type Rng } from "./random.ts";

export type Platform = "vdi" | "scnet";

/** Fail the next `count` requests (of one route, or of any route when `route` is null). */
export interface FailNext {
  route: string | null;
  status: number | null;
  code: string | null;
  count: number;
}

/** The body of `POST /_sim/faults`; absent fields mean "off". */
export interface FaultConfig {
  error_rate: number;
  latency_ms: number;
  timeout_rate: number;
  rate_limit_per_s: number | null;
  quota_desktops: number | null;
  job_fail_rate: number;
  seed: number | null;
  fail_next: FailNext | null;
}

const NO_FAULTS: FaultConfig = {
  error_rate: 0,
  latency_ms: 0,
  timeout_rate: 0,
  rate_limit_per_s: null,
  quota_desktops: null,
  job_fail_rate: 0,
  seed: null,
  fail_next: null,
};

const KEYS = new Set(Object.keys(NO_FAULTS));

/** Validates a fault body; throws an Error whose message names the bad field. */
export function parseFaults(body: unknown): FaultConfig {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new Error("body must be an object");
  const input = body as Record<string, unknown>;
  for (const key of Object.keys(input)) if (!KEYS.has(key)) throw new Error(`unknown field "${key}"`);
  return {
    error_rate: rate(input, "error_rate"),
    latency_ms: count(input, "latency_ms") ?? 0,
    timeout_rate: rate(input, "timeout_rate"),
    rate_limit_per_s: positive(input, "rate_limit_per_s"),
    quota_desktops: count(input, "quota_desktops"),
    job_fail_rate: rate(input, "job_fail_rate"),
    seed: count(input, "seed"),
    fail_next: failNext(input.fail_next),
  };
}

function rate(input: Record<string, unknown>, key: string): number {
  const value = input[key];
  if (value === undefined) return 0;
  if (typeof value !== "number" || !(value >= 0 && value <= 1))
    throw new Error(`${key} must be a number in 0..1`);
  return value;
}

function count(input: Record<string, unknown>, key: string): number | null {
  const value = input[key];
  if (value === undefined) return null;
  if (!Number.isInteger(value) || (value as number) < 0) throw new Error(`${key} must be an integer ≥ 0`);
  return value as number;
}

function positive(input: Record<string, unknown>, key: string): number | null {
  const value = input[key];
  if (value === undefined) return null;
  if (typeof value !== "number" || !(value > 0)) throw new Error(`${key} must be a number > 0`);
  return value;
}

function failNext(value: unknown): FailNext | null {
  if (value === undefined) return null;
  if (typeof value !== "object" || value === null) throw new Error("fail_next must be an object");
  const input = value as Record<string, unknown>;
  const n = count(input, "count");
  if (n === null) throw new Error("fail_next.count is required");
  const status = count(input, "status");
  if (status !== null && (status < 200 || status > 599)) throw new Error("fail_next.status must be 200..599");
  for (const key of ["route", "code"]) {
    if (input[key] !== undefined && typeof input[key] !== "string")
      throw new Error(`fail_next.${key} must be a string`);
  }
  const route = (input.route as string | undefined) ?? null;
  if (route !== null && !/^(GET|POST|PUT|DELETE) \//.test(route)) {
    throw new Error('fail_next.route must look like "POST /desktops"');
  }
  return { route, status, code: (input.code as string | undefined) ?? null, count: n };
}

/** Normalises `METHOD /path/{name}/:name` so that parameter names do not matter. */
function normalise(route: string): string {
  return route.replace(/\{[^}]*\}|:[A-Za-z_]\w*/g, "{}");
}

/** The current fault configuration, its seeded PRNG and the per-platform token buckets. */
export class Faults {
  config: FaultConfig = { ...NO_FAULTS };
  #rng: Rng;
  readonly #defaultSeed: number;
  #buckets = new Map<Platform, { tokens: number; at: number }>();

  constructor(defaultSeed: number) {
    this.#defaultSeed = defaultSeed;
    this.#rng = mulberry32(defaultSeed);
  }

  /** Replaces the configuration and restarts the PRNG, so a given body always plays out the same. */
  set(config: FaultConfig): void {
    this.config = { ...config, fail_next: config.fail_next ? { ...config.fail_next } : null };
    this.#rng = mulberry32(config.seed ?? this.#defaultSeed);
    this.#buckets.clear();
  }

  clear(): void {
    this.set({ ...NO_FAULTS });
  }

  /** True when `rate` fires on the next draw; draws nothing when the rate is 0. */
  draw(rate: number): boolean {
    return rate > 0 && this.#rng.next() < rate;
  }

  /** Token bucket of `rate_limit_per_s` tokens a second (burst of the same size); true = throttled. */
  throttled(platform: Platform, now = performance.now()): boolean {
    const limit = this.config.rate_limit_per_s;
    if (limit === null) return false;
    const bucket = this.#buckets.get(platform) ?? { tokens: limit, at: now };
    bucket.tokens = Math.min(limit, bucket.tokens + ((now - bucket.at) / 1000) * limit);
    bucket.at = now;
    this.#buckets.set(platform, bucket);
    if (bucket.tokens < 1) return true;
    bucket.tokens -= 1;
    return false;
  }

  /** Consumes one `fail_next` shot when it applies to `routeKey` (e.g. "POST /v2/{p}/desktops"). */
  takeFailNext(routeKey: string): FailNext | null {
    const rule = this.config.fail_next;
    if (!rule || rule.count <= 0) return null;
    if (rule.route !== null) {
      const [method, path] = rule.route.split(" ", 2) as [string, string];
      const key = normalise(routeKey);
      if (key !== normalise(rule.route) && key !== normalise(`${method} /v2/{p}${path}`)) return null;
    }
    rule.count -= 1;
    return rule;
  }
}

/**
 * The one error vocabulary. Every rejection deskgate sends (request-time or in a callback)
 * names one of these codes; the code decides the HTTP status, and `messages` gives the
 * caller-facing text in English and Chinese (Accept-Language: zh-CN).
 */
export const ErrorCodes = {
  invalid_request: { http: 400, en: "Invalid request", zh: "请求参数无效" },
  invalid_json: { http: 400, en: "The request body is not valid JSON", zh: "请求体不是合法的 JSON" },
  unsupported_media_type: {
    http: 415,
    en: "Content-Type must be application/json",
    zh: "Content-Type 必须为 application/json",
  },
  unauthorized: { http: 401, en: "Missing or unknown API key", zh: "缺少或无效的 API 密钥" },
  forbidden: { http: 403, en: "This API key may not use this endpoint", zh: "该 API 密钥无权访问此接口" },
  not_found: { http: 404, en: "Not found", zh: "资源不存在" },
  method_not_allowed: { http: 405, en: "Method not allowed", zh: "不支持的请求方法" },
  conflict: { http: 409, en: "Conflict", zh: "请求冲突" },
  /** The platform's quota cannot hold what the request would make (message: the quota). */
  quota_exceeded: {
    http: 409,
    en: "The platform's quota cannot hold this request",
    zh: "平台配额不足,无法满足该请求",
  },
  payload_too_large: { http: 413, en: "The request body is too large", zh: "请求体过大" },
  idempotency_mismatch: {
    http: 422,
    en: "This Idempotency-Key was used with a different request body",
    zh: "该 Idempotency-Key 已用于不同的请求体",
  },
  rate_limited: { http: 429, en: "Too many requests", zh: "请求过于频繁" },
  /** A synchronous request whose task ended in failure on the platform (message: the reason). */
  task_failed: {
    http: 422,
    en: "The platform could not carry out the request",
    zh: "平台未能完成该请求",
  },
  internal: { http: 500, en: "Internal error", zh: "内部错误" },
  unavailable: {
    http: 503,
    en: "The service is temporarily unavailable; try again shortly",
    zh: "服务暂不可用,请稍后重试",
  },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;
export type Language = "en" | "zh";

export function httpStatusOf(code: ErrorCode): number {
  return ErrorCodes[code].http;
}

export function defaultMessage(code: ErrorCode, lang: Language): string {
  return ErrorCodes[code][lang];
}

/** `Accept-Language: zh-CN` (or any zh tag ranked first) selects Chinese messages. */
export function languageOf(acceptLanguage: string | undefined | null): Language {
  const first = acceptLanguage?.split(",")[0]?.trim().toLowerCase() ?? "";
  return first.startsWith("zh") ? "zh" : "en";
}

/**
 * Texts of answers that are not failures. `still_running`: a synchronous request whose task
 * did not end within the configured bound (HTTP 202; the task goes on).
 */
export const Notices = {
  still_running: {
    en: "Accepted and still in progress; GET /api/tasks/{task_id} gives the outcome",
    zh: "请求已受理,仍在处理中;可通过 GET /api/tasks/{task_id} 查询结果",
  },
} as const;

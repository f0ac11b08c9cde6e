import type { ErrorCode, Language } from "@deskgate/contracts";

/** A caller-facing text in both languages (Accept-Language: zh-CN picks `zh`). */
export interface Text {
  en: string;
  zh: string;
}

export const text = (en: string, zh: string = en): Text => ({ en, zh });

/**
 * What an operation answers, independent of REST or tRPC: the HTTP status, whether it is a
 * success or a failure envelope, the `data` and the message. `secret` marks a reply holding
 * a password (stored sealed when an Idempotency-Key keeps it).
 */
export interface Reply {
  kind: "reply";
  http: number;
  ok: boolean;
  data: unknown;
  message: Text | null;
  /** A failure's code (its tRPC error): `task_failed` when absent. */
  code?: ErrorCode;
  secret?: boolean;
  headers?: Record<string, string>;
}

/** An expected rejection: the code decides the HTTP status; the message explains. */
export interface Rejected {
  kind: "rejected";
  code: ErrorCode;
  message?: Text;
  headers?: Record<string, string>;
}

export type Outcome = Reply | Rejected;

export function success(data: unknown, http = 200, message: Text | null = null): Reply {
  return { kind: "reply", http, ok: true, data, message };
}

export function rejected(code: ErrorCode, message?: Text, headers?: Record<string, string>): Rejected {
  return { kind: "rejected", code, ...(message ? { message } : {}), ...(headers ? { headers } : {}) };
}

export function pick(t: Text | null | undefined, lang: Language): string {
  return t ? t[lang] : "";
}

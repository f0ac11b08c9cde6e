import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";

/**
 * Standard Webhooks signing (RELIABILITY.md 1). The HMAC itself comes from the `standardwebhooks`
 * package, the same code receivers verify with; this module only assembles headers around it.
 */

export const USER_AGENT = "deskgate-webhooks/1";

/**
 * `webhook-signature` value: one `v1,<base64 HMAC-SHA256>` entry per secret, space-separated, so
 * receivers keep verifying while a secret is being rotated. `body` must be the exact string POSTed.
 */
export function signatureHeader(
  secrets: readonly string[],
  msgId: string,
  timestampSec: number,
  body: string,
): string {
  if (secrets.length === 0) throw new Error("webhook signing needs at least one secret");
  if (msgId === "" || msgId.includes(".")) {
    throw new Error(`webhook-id must be non-empty and contain no ".": ${JSON.stringify(msgId)}`);
  }
  if (!Number.isSafeInteger(timestampSec) || timestampSec < 0) {
    throw new Error(`webhook-timestamp must be integer Unix seconds, got ${timestampSec}`);
  }
  const at = new Date(timestampSec * 1000);
  return secrets.map((secret) => new Webhook(secret).sign(msgId, at, body)).join(" ");
}

/** Every header of one delivery attempt; a retry keeps `msgId` and gets a new `timestampSec`. */
export function webhookHeaders(opts: {
  secrets: readonly string[];
  msgId: string;
  timestampSec: number;
  body: string;
}): Record<string, string> {
  return {
    "webhook-id": opts.msgId,
    "webhook-timestamp": String(opts.timestampSec),
    "webhook-signature": signatureHeader(opts.secrets, opts.msgId, opts.timestampSec, opts.body),
    "content-type": "application/json",
    "user-agent": USER_AGENT,
  };
}

/** A new signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return "whsec_" + randomBytes(32).toString("base64");
}

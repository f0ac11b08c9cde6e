export { type AddressCheck, checkAddress } from "./address-policy.ts";
export { type AllowEntry, type CallbackPolicy, parseAllowlist } from "./allowlist.ts";
export type { DeliveryAttemptResult, DeliveryErrorClass } from "./attempt-result.ts";
export { checkCallbackUrl, type UrlCheck } from "./callback-url.ts";
export {
  createDeliverer,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  type Deliverer,
  type DelivererOptions,
  type DeliveryRequest,
} from "./deliverer.ts";
export { createGuardedLookup, type Resolver, systemResolver } from "./guarded-lookup.ts";
export { nextRetryDelaySec, RETRY_SCHEDULE_SECONDS, scaledRetryDelaySec } from "./retry-schedule.ts";
export { generateWebhookSecret, signatureHeader, webhookHeaders } from "./signing.ts";

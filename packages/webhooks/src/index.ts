export { type AddressCheck, checkAddress } from "./address-policy.ts";
export {
  type AllowEntry,
  type CallbackPolicy,
  type OwnPort,
  type PolicyOptions,
  type PortRange,
  parseAllowlist,
} from "./allowlist.ts";
export type { DeliveryAttemptResult, DeliveryErrorClass } from "./attempt-result.ts";
export { checkCallbackUrl, type UrlCheck, urlPort } from "./callback-url.ts";
export {
  createDeliverer,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  type Deliverer,
  type DelivererOptions,
  type DeliveryRequest,
} from "./deliverer.ts";
export { createGuardedConnector, type GuardedConnectorOptions } from "./guarded-connector.ts";
export { createGuardedLookup, type Resolver, systemResolver } from "./guarded-lookup.ts";
export { type OwnPortsConfig, ownPortsFromConfig } from "./own-ports.ts";
export { nextRetryDelaySec, RETRY_SCHEDULE_SECONDS, scaledRetryDelaySec } from "./retry-schedule.ts";
export { generateWebhookSecret, signatureHeader, webhookHeaders } from "./signing.ts";

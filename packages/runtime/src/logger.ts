import { type Logger, pino } from "pino";

export type { Logger } from "pino";

/**
 * JSON-lines logger with redaction built in: no call site has to remember to hide a
 * password, token or key — any field of these names, at any of these depths, is censored.
 */
export const REDACT_PATHS = [
  "password",
  "*.password",
  "*.*.password",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "apiKey",
  "*.apiKey",
  "secretKey",
  "*.secretKey",
  "securityToken",
  "*.securityToken",
  "*.*.secretKey",
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  '*.headers["x-api-key"]',
  '*.headers["x-auth-token"]',
  '*.headers["x-subject-token"]',
  '*.headers["x-security-token"]',
  '*.headers["X-Auth-Token"]',
  '*.headers["X-Security-Token"]',
  '*.headers["webhook-signature"]',
];

export function createLogger(opts: {
  level?: string;
  name: string;
  destination?: pino.DestinationStream;
}): Logger {
  return pino(
    {
      name: opts.name,
      level: opts.level ?? "info",
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      base: { service: opts.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination,
  );
}

export * from "./clock.ts";
export * from "./config.ts";
export * from "./logger.ts";
export * from "./metrics.ts";
export * from "./node-options.ts";
export * from "./passwords.ts";
export * from "./secret-box.ts";

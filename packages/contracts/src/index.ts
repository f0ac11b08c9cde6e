export * from "./callbacks.ts";
export * from "./desktop/apply.ts";
export * from "./envelope.ts";
export * from "./errors.ts";
export * from "./fields.ts";
export * from "./jobs.ts";
export * from "./tasks.ts";

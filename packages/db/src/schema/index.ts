export * from "./api-keys.ts";
export * from "./audit.ts";
export * from "./callbacks.ts";
export * from "./hpc.ts";
export * from "./platform.ts";
export * from "./settings.ts";
export * from "./tasks.ts";

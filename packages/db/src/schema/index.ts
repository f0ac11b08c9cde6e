export * from "./callbacks.ts";
export * from "./platform.ts";
export * from "./settings.ts";
export * from "./tasks.ts";

import { defineProject } from "vitest/config";

export default defineProject({ test: { name: "worker", testTimeout: 30_000, hookTimeout: 60_000 } });

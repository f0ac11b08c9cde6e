import { defineConfig } from "vitest/config";

// One vitest run over every workspace package; each package is a project so
// `pnpm test --project sim` runs one of them.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*"],
  },
});

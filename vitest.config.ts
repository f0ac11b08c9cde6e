import { defineConfig } from "vitest/config";

// One vitest run over every workspace package; each package is a project
// (`pnpm test --project api` runs one). One PostgreSQL server serves the whole run.
export default defineConfig({
  test: {
    globalSetup: ["./packages/db/src/testing/global-setup.ts"],
    projects: [
      "packages/*",
      "apps/*",
      {
        test: { name: "repo", include: ["scripts/**/*.test.ts", "tests/**/*.test.ts"], testTimeout: 120_000 },
      },
    ],
  },
});

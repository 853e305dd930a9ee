import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The Worker in local workerd runs apart: `npm run test:workers` (vitest.workers.config.ts).
    exclude: [...configDefaults.exclude, "test/workers/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});

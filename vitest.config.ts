import { availableParallelism } from "node:os";
import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The Worker in local workerd runs apart: `npm run test:workers` (vitest.workers.config.ts).
    exclude: [...configDefaults.exclude, "test/workers/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default is one worker fewer than the cores, which is a single worker on a 2-core
    // machine. Most suites wait on databases, loopback servers and Chromium rather than compute,
    // so one worker per core keeps both cores busy: 8 min 47 s instead of 10.5–13 min on that machine.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});

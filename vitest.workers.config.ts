import { defineConfig } from "vitest/config";

/** `npm run test:workers`: the Worker in local workerd (test/workers/), apart from `npm test`. */
export default defineConfig({
  test: {
    include: ["test/workers/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: "forks",
  },
});

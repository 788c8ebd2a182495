import { defineConfig } from "vitest/config";

// The full fault matrix (test/faults/): real engine, one case after another, hours of it on two cores; run by
// `npm run test:faults`, never by `npm test`.
export default defineConfig({
  test: {
    include: ["test/faults/**/*.test.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 12 * 60 * 60 * 1000,
    hookTimeout: 600_000,
  },
});

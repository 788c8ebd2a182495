import { defineConfig } from "vitest/config";

// Three suites, one command. Unit tests use Pulumi mocks and run in parallel; emulator tests start
// in-process servers on port 0; e2e tests drive the real engine and run one file at a time because
// two cores cannot host several engines plus their plugins without timing out.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          pool: "forks",
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "emulators",
          include: ["test/emulators/**/*.test.ts"],
          pool: "forks",
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          pool: "forks",
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});

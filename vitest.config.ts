import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "node",
    include: ["server/**/*.test.ts", "sfu/**/*.test.ts", "recorder/**/*.test.ts", "migrations/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests start real servers and browsers; two at a time fits a 2-core machine.
    maxWorkers: 2,
  },
});

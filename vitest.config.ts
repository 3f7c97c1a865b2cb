import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "node",
    include: ["client/src/**/*.test.ts", "server/**/*.test.ts", "sfu/**/*.test.ts", "recorder/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    reporters: ["default", "./test/support/summary-reporter.ts"],
    // Media and browser tests need headroom on a loaded 2-core machine; a real failure still fails.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Tests start real servers and browsers; two at a time fits a 2-core machine.
    maxWorkers: 2,
  },
});

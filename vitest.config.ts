import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Floating times and all-day dates must not depend on the machine's zone: run the suite in one
    // that is neither UTC nor DST-free, so a hidden dependency on TZ shows.
    env: { TZ: "America/New_York" },
    restoreMocks: true,
    unstubEnvs: true,
  },
});

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
    // Each test file in a fresh worker (vitest's default, chosen here on purpose): files stub the
    // environment, add process listeners and load modules that keep state (the X-Ray SDK and the
    // local segment, the container's handler with its caches), and none may see another's. Saying
    // so also stops vitest suggesting `isolate: false` after every run.
    isolate: true,
    unstubEnvs: true,
    // `npm test` turns it on (`--coverage`); a run of a few files measures nothing.
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      reporter: ["text-summary", "json-summary"],
      // Just under what the suite reaches without the calendar corpus (87.2 %, 81.5 %, 88.5 %,
      // 88.8 %; a little more with it), so code that arrives without tests fails it.
      thresholds: { statements: 87, branches: 81, functions: 88, lines: 88 },
    },
  },
});

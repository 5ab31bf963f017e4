import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.ts";

// Not a benchmark: a tiny export, to keep `npm run bench:calendar` working. Figures come from
// docs/benchmarks.md.
describe("npm run bench:calendar", () => {
  it("runs every reader in processes of its own and prints their figures and the ratios", async () => {
    // Act
    const run = await runCli("bench/calendar.ts", ["--events", "40", "--runs", "1"], {}, 60_000);

    // Assess
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^feed: 0\.0 MB, 40 VEVENTs /m);
    for (const reader of ["ours", "node-ical parse", "ical.js", "read \\+ split lines"]) {
      expect(run.stdout).toMatch(new RegExp(`^\\| ${reader} \\| \\d+ (occurrences|events|lines) \\|( -?\\d+(\\.\\d)? \\|){7}$`, "m"));
    }
    expect(run.stdout).toMatch(/^[✔✘] ours at least 10× faster than node-ical's parse: extra wall /m);
    expect(run.stdout).toMatch(/^[✔✘] ours at most 3× the read-and-split floor: /m);
    expect(run.stdout).toMatch(/^[✔✘] ours at most 32 MB of extra peak RSS /m);
    expect(run.stdout).toMatch(/^✔ ours and ical.js find the same occurrences in the window/m);
    expect(run.stdout).toMatch(
      /^ours, the parsed calendar kept and expanded again over one day .*: five minutes later \d+ ms \(\d+ occurrences\), the next day /m,
    );
  });
});

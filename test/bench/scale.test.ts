import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.ts";

// Not a benchmark: a tiny size, to keep `npm run bench:scale`'s harness working. Figures come from
// docs/benchmarks.md.
describe("npm run bench:scale", () => {
  it("measures whole invoke processes over the feeds and prints their figures", async () => {
    // Act
    const run = await runCli(
      "bench/scale.ts",
      ["--feeds", "5", "--min-latency", "1", "--max-latency", "5", "--slack-latency", "1", "--events", "20"],
      {},
      60_000,
    );

    // Assess
    expect(run.stdout).toMatch(
      /^workload: 5 feeds of \d+\.\d KB on 5 loopback hosts, .*V8 limits of a 256 MB function: --max-semi-space-size=12 --max-old-space-size=231$/m,
    );
    expect(run.stdout).toMatch(/^\| 1 \| 1 \| \d+\.\d\d \| \d+\.\d\d \(\d+\.\d\d \+ \d+\.\d\d\) \| \d+ \| (yes|no) \| (yes|no) \|$/m);
    expect(run.stdout).toMatch(/^\| 5 \| 5 \| \d+\.\d\d \| \d+\.\d\d \(\d+\.\d\d \+ \d+\.\d\d\) \| \d+ \| (yes|no) \| (yes|no) \|$/m);
    expect(run.stdout).toContain("invoke over 5 feed(s) exited 0: 5/5 feeds read, 5/5 reminders sent, 0 errors");
    // The floor downloaded and posted every feed, or its line would say it did not
    expect(run.stdout).toMatch(
      /^I\/O floor \(the same downloads, posts and X-Ray datagrams, nothing else\): \d+\.\d\d s CPU, \d+ MB peak RSS; the run's CPU over it, run by run: \d+\.\d\dx \(\d+\.\d\d–\d+\.\d\d\)$/m,
    );
  });

  it("with --runs, measures that many processes over the feeds and judges the targets on their medians", async () => {
    // Act
    const run = await runCli(
      "bench/scale.ts",
      ["--feeds", "2", "--runs", "3", "--min-latency", "1", "--max-latency", "2", "--slack-latency", "1", "--events", "5"],
      {},
      60_000,
    );

    // Assess: one row per process, then the medians and ranges of the three
    expect(run.stdout.match(/^\| 2 \| 2 \| .* \|$/gm)).toHaveLength(3);
    expect(run.stdout).toMatch(/^median of 3 runs: \d+\.\d\d s CPU \(\d+\.\d\d–\d+\.\d\d\), peak RSS \d+ MB \(\d+–\d+\)$/m);
    expect(run.stdout.match(/^invoke over 2 feed\(s\) exited 0: 2\/2 feeds read, 2\/2 reminders sent, 0 errors$/gm)).toHaveLength(3);
  });

  it("prints the figures and exits 1 when a target is missed", async () => {
    // Act: no whole process runs in a millisecond of CPU time.
    const run = await runCli(
      "bench/scale.ts",
      ["--feeds", "2", "--min-latency", "1", "--max-latency", "2", "--slack-latency", "1", "--events", "5", "--cpu-s", "0.001"],
      {},
      60_000,
    );

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^\| 2 \| 2 \| .* \| no \| (yes|no) \|$/m);
  });
});

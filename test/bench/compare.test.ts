import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.ts";

// Not a benchmark: a tiny workload, to keep `npm run compare` working. Figures come from
// docs/strategies-and-traces.md.
describe("npm run compare", () => {
  let out: string;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), "compare-test-"));
  });

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it("runs both strategies, prints their figures from the segment documents and writes the chart", async () => {
    // Act
    const run = await runCli("bench/compare.ts", [
      "--feeds",
      "4",
      "--webhooks",
      "2",
      "--min-latency",
      "1",
      "--max-latency",
      "20",
      "--slack-latency",
      "1",
      "--series",
      "1",
      "--events",
      "3",
      "--out",
      out,
    ]);

    // Assess
    expect(run.stderr).toMatch(/serial: 4\/4 feeds read, 4\/4 reminders posted .* 4\/4 fetch spans received/);
    expect(run.stderr).toMatch(/pipelined: 4\/4 feeds read, 4\/4 reminders posted .* 4\/4 fetch spans received/);
    expect(run.stdout).toMatch(/^serial\s+4\s+4\s+/m);
    expect(run.stdout).toMatch(/^pipelined\s+4\s+4\s+/m);
    expect(run.stdout).toContain("✔ every feed read and every reminder posted");
    const svg = await readFile(join(out, "compare-4.svg"), "utf8");
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain("fetch:feed-3");
    const documents = await readFile(join(out, "compare-4-segments.json"), "utf8");
    expect(documents.match(/"name":"strategy:(serial|pipelined)"/g)).toHaveLength(2);
  });
});

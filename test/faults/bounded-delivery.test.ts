import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

describe("bounded delivery, with V8 limited as Lambda limits it", () => {
  it("drains 2,000 reminders for one webhook, each posted once, in well under 256 MB", async () => {
    // Act: a 512 MB function gives V8 about a 256 MB old space
    const { stdout } = await run(process.execPath, ["--max-old-space-size=256", "test/support/child-drain.ts", "2000"], {
      timeout: 60_000,
    });

    // Assess
    const result = JSON.parse(stdout.trim()) as { sent: number; posts: number; shown: number; distinct: number; peakRssMb: number };
    expect(result.sent).toBe(2_000);
    expect(result.shown).toBe(2_000);
    expect(result.distinct).toBe(2_000);
    expect(result.posts).toBeLessThanOrEqual(2_000 / 16 + 1);
    expect(result.peakRssMb).toBeLessThan(256);
  }, 60_000);
});

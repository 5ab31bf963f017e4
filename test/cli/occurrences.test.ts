import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.ts";

describe("npm run occurrences", () => {
  it("prints one JSON line per occurrence in the window, and what it skipped on stderr", async () => {
    // Prepare
    const args = ["test/fixtures/calendar/broken-components-among-good.ics", "--from", "2026-03-10T00:00:00Z", "--to", "2026-03-11T00:00:00Z"];

    // Act
    const run = await runCli("src/cli/occurrences.ts", args);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n").map((line) => JSON.parse(line) as unknown)).toEqual([
      { uid: "good-1", summary: "Good one", start: "2026-03-10T09:00:00Z", end: "2026-03-10T09:00:00Z", allDay: false, recurrenceId: null },
      { uid: "good-2", summary: "Good two", start: "2026-03-10T12:00:00Z", end: "2026-03-10T12:00:00Z", allDay: false, recurrenceId: null },
    ]);
    expect(run.stderr).toContain("warning: skipped event bad-date");
  });

  it("reads floating times and all-day events in --tz", async () => {
    // Prepare
    const args = ["test/fixtures/calendar/floating-in-configured-zone.ics", "--from", "2026-03-10T00:00:00Z", "--to", "2026-03-11T00:00:00Z", "--tz", "America/New_York"];

    // Act
    const run = await runCli("src/cli/occurrences.ts", args);

    // Assess
    expect(JSON.parse(run.stdout)).toMatchObject({ uid: "floating", start: "2026-03-10T13:00:00Z", end: "2026-03-10T14:00:00Z" });
  });

  it("refuses a zone that is not one, naming the flag", async () => {
    // Prepare
    const args = ["test/fixtures/calendar/floating-in-configured-zone.ics", "--from", "2026-03-10T00:00:00Z", "--to", "2026-03-11T00:00:00Z", "--tz", "Mars/Olympus"];

    // Act
    const run = await runCli("src/cli/occurrences.ts", args);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--tz "Mars/Olympus" is not an IANA time zone');
  });
});

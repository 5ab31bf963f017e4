import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startLoopback } from "../support/loopback.ts";
import { runCli } from "../support/run-cli.ts";

describe("npm run occurrences", () => {
  it("prints one JSON line per occurrence in the window, and what it skipped on stderr", async () => {
    // Prepare
    const args = [
      "test/fixtures/calendar/broken-components-among-good.ics",
      "--from",
      "2026-03-10T00:00:00Z",
      "--to",
      "2026-03-11T00:00:00Z",
    ];

    // Act
    const run = await runCli("src/cli/occurrences.ts", args);

    // Assess
    expect(run.code).toBe(0);
    expect(
      run.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual([
      { uid: "good-1", summary: "Good one", start: "2026-03-10T09:00:00Z", end: "2026-03-10T09:00:00Z", allDay: false, recurrenceId: null },
      { uid: "good-2", summary: "Good two", start: "2026-03-10T12:00:00Z", end: "2026-03-10T12:00:00Z", allDay: false, recurrenceId: null },
    ]);
    expect(run.stderr).toContain("warning: skipped event bad-date");
  });

  it("reads floating times and all-day events in --tz", async () => {
    // Prepare
    const args = [
      "test/fixtures/calendar/floating-in-configured-zone.ics",
      "--from",
      "2026-03-10T00:00:00Z",
      "--to",
      "2026-03-11T00:00:00Z",
      "--tz",
      "America/New_York",
    ];

    // Act
    const run = await runCli("src/cli/occurrences.ts", args);

    // Assess
    expect(JSON.parse(run.stdout)).toMatchObject({ uid: "floating", start: "2026-03-10T13:00:00Z", end: "2026-03-10T14:00:00Z" });
  });

  it("prints a timed occurrence's start and end on the clocks of --tz as well", async () => {
    // Prepare
    const args = [
      "test/fixtures/calendar/floating-in-configured-zone.ics",
      "--from",
      "2026-03-10",
      "--to",
      "2026-03-11",
      "--tz",
      "America/New_York",
    ];

    // Act
    const run = await runCli("src/cli/occurrences.ts", args);

    // Assess: 13:00Z is 09:00 in New York, where DST has begun on 2026-03-08
    expect(JSON.parse(run.stdout)).toEqual({
      uid: "floating",
      summary: expect.any(String),
      start: "2026-03-10T13:00:00Z",
      end: "2026-03-10T14:00:00Z",
      allDay: false,
      recurrenceId: null,
      localStart: "2026-03-10T09:00:00-04:00",
      localEnd: "2026-03-10T10:00:00-04:00",
    });
  });

  it("refuses a zone that is not one, naming the flag", async () => {
    // Prepare
    const args = [
      "test/fixtures/calendar/floating-in-configured-zone.ics",
      "--from",
      "2026-03-10T00:00:00Z",
      "--to",
      "2026-03-11T00:00:00Z",
      "--tz",
      "Mars/Olympus",
    ];

    // Act
    const run = await runCli("src/cli/occurrences.ts", args);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--tz "Mars/Olympus" is not an IANA time zone');
  });

  it("reads a --from and --to without an offset on the clocks of --tz", async () => {
    // Prepare: "One day" is 2026-03-10, which begins at 2026-03-09T15:00Z in Tokyo
    const args = [
      "test/fixtures/calendar/all-day-single-multi-and-duration.ics",
      "--from",
      "2026-03-10",
      "--to",
      "2026-03-11",
      "--tz",
      "Asia/Tokyo",
    ];

    // Act
    const run = await runCli("src/cli/occurrences.ts", args, { TZ: "UTC" });

    // Assess
    expect(run.stdout).toContain('"uid":"single"');
  });

  it.each([
    [["--from", "12/03/2026", "--to", "2026-03-11"], /--from "12\/03\/2026" is not an ISO 8601 date/],
    [["--from", "2026-02-30", "--to", "2026-03-11"], /--from "2026-02-30" is not an ISO 8601 date/],
    [["--from", "2026-03-10T25:99", "--to", "2026-03-11"], /--from "2026-03-10T25:99" is not an ISO 8601 date/],
    [["--from", "2026-00-00", "--to", "2026-03-11"], /--from "2026-00-00" is not an ISO 8601 date/],
    [["--from", "2026-03-12", "--to", "2026-03-11"], /--from must be before --to/],
    [["--from", "2026-03-10", "--to", "2026-03-11", "--tzz", "UTC"], /^Unknown option '--tzz'\n/],
  ])("answers %j with one line and the usage, not a stack trace", async (flags, message) => {
    // Act
    const run = await runCli("src/cli/occurrences.ts", ["test/fixtures/calendar/all-day-single-multi-and-duration.ics", ...flags]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain("usage: npm run -s occurrences");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("names the file and says what it is when it is an HTML page", async () => {
    // Prepare
    const page = join(await mkdtemp(join(tmpdir(), "occurrences-")), "login.html");
    await writeFile(page, "<!doctype html><html><body>Sign in</body></html>");

    // Act
    const run = await runCli("src/cli/occurrences.ts", [page, "--from", "2026-03-10", "--to", "2026-03-11"]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${page} is an HTML/XML page, not an iCalendar feed`);
  });

  it("names a URL by its host only when it is an HTML page: a private feed's address is a secret", async () => {
    // Prepare
    const server = await startLoopback((_request, response) => {
      response.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><html><body>Sign in</body></html>");
    });
    const { host } = new URL(server.url);
    const url = `http://alice:hunter2@${host}/calendar/ical/private-0123456789abcdef/basic.ics?token=s3cr3t`;

    try {
      // Act
      const run = await runCli("src/cli/occurrences.ts", [url, "--from", "2026-03-10", "--to", "2026-03-11"]);

      // Assess
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`the calendar at ${host} is an HTML/XML page, not an iCalendar feed`);
      for (const secret of ["hunter2", "private-0123456789abcdef", "s3cr3t", "/calendar/ical"]) expect(run.stderr).not.toContain(secret);
    } finally {
      await server.close();
    }
  });

  it("points a webcal:// address to its https:// form", async () => {
    const run = await runCli("src/cli/occurrences.ts", [
      "webcal://calendar.example.com/basic.ics",
      "--from",
      "2026-03-10",
      "--to",
      "2026-03-11",
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/use the same address with https:\/\//);
  });
});

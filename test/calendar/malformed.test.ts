import { describe, expect, it } from "vitest";
import { occurrencesOf, parseCalendar } from "../../src/calendar/expand.ts";
import { CalendarError } from "../../src/errors.ts";
import { calendarFixture, expandFixture, fixedZoneBlock, readAndExpand, ruleCalendar } from "../support/calendar.ts";

describe("event text", () => {
  it("is unescaped, Google's Meet link included", () => {
    // Prepare
    const fixture = "google-meet-conference.ics";

    // Act
    const { occurrences } = expandFixture(fixture, "2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z");

    // Assess
    expect(occurrences.map((o) => [o.summary, o.conference])).toEqual([["Design review, round 2", "https://meet.google.com/abc-defg-hij"]]);
  });

  it("reads each escape as RFC 5545 says, in one pass, and only the first of each property", () => {
    // Prepare: every escape, an escaped backslash before an n, quotes around a title, parameters
    const ics = [
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "BEGIN:VEVENT",
      "UID:escapes",
      "DTSTART:20260310T090000Z",
      'SUMMARY;LANGUAGE=en:"Plan\\, review\\; ship"',
      "SUMMARY:a second title, ignored",
      "DESCRIPTION:Line one\\nLine two\\NLine three\\\\not a break\\:kept",
      "LOCATION:C:\\\\Rooms\\\\4",
      "URL:https://example.com/agenda?a=1&b=2",
      "END:VEVENT",
      "END:VCALENDAR",
      "",
    ].join("\r\n");

    // Act
    const [occurrence] = occurrencesOf(parseCalendar(ics), {
      from: new Date("2026-03-10T00:00:00Z"),
      to: new Date("2026-03-11T00:00:00Z"),
      timezone: "UTC",
    }).occurrences;

    // Assess
    expect(occurrence?.summary).toBe("Plan, review; ship");
    expect(occurrence?.description).toBe("Line one\nLine two\nLine three\\not a break\\:kept");
    expect(occurrence?.location).toBe("C:\\Rooms\\4");
    expect(occurrence?.url).toBe("https://example.com/agenda?a=1&b=2");
    expect(occurrence?.conference).toBeUndefined();
  });
});

describe("malformed calendars", () => {
  it("reads a calendar served with a byte-order mark and blank space before BEGIN:VCALENDAR", () => {
    // Prepare
    const ics = [
      "\uFEFF  \r\n   BEGIN:VCALENDAR",
      "VERSION:2.0",
      "BEGIN:VEVENT",
      "UID:padded",
      "DTSTART:20260310T090000Z",
      "SUMMARY:Still read",
      "END:VEVENT",
      "END:VCALENDAR",
      "",
    ].join("\r\n");

    // Act
    const { occurrences } = occurrencesOf(parseCalendar(ics), {
      from: new Date("2026-03-10T00:00:00Z"),
      to: new Date("2026-03-11T00:00:00Z"),
      timezone: "UTC",
    });

    // Assess
    expect(occurrences.map((o) => o.summary)).toEqual(["Still read"]);
  });

  it("skips a bad date, a broken RRULE, a missing END and a missing DTSTART, keeping the good events", () => {
    // Prepare
    const fixture = "broken-components-among-good.ics";

    // Act
    const { occurrences, warnings, skipped } = expandFixture(fixture, "2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z");

    // Assess: the UIDs of the events skipped are listed too, for change notices to leave alone
    expect(occurrences.map((o) => o.uid)).toEqual(["good-1", "good-2"]);
    expect([...skipped].sort()).toEqual(["bad-date", "bad-rule", "no-end", "no-start"]);
    expect(warnings).toEqual([
      "skipped VEVENT no-end: no END:VEVENT",
      expect.stringMatching(/^skipped event bad-date: "20261345T990000" is not a calendar date/),
      expect.stringMatching(/^skipped event bad-rule: /),
      "skipped event no-start: it has no DTSTART",
    ]);
  });

  it("keeps the complete events of a feed cut off in the middle", () => {
    // Prepare
    const fixture = "truncated-feed.ics";

    // Act
    const { occurrences, warnings } = expandFixture(fixture, "2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z");

    // Assess
    expect(occurrences.map((o) => o.uid)).toEqual(["complete"]);
    expect(warnings).toEqual(["skipped VEVENT cut-off: no END:VEVENT"]);
  });

  it("refuses text that is no calendar at all, saying what it looks like", () => {
    // Prepare
    const html = "<!DOCTYPE html><html><body>Sign in</body></html>";

    // Act
    const read = () => parseCalendar(html);

    // Assess
    expect(read).toThrow(CalendarError);
    expect(read).toThrow(/HTML/);
  });

  it("expands one parsed calendar over several windows and zones with the same result as reading it anew", () => {
    // Prepare: what a warm Lambda does with an unchanged feed.
    const ics = calendarFixture("google-override-before-master.ics");
    const parsed = parseCalendar(ics);
    const windows = [
      { from: new Date("2026-03-09T00:00:00Z"), to: new Date("2026-03-11T00:00:00Z"), timezone: "UTC" },
      { from: new Date("2026-03-01T00:00:00Z"), to: new Date("2026-04-01T00:00:00Z"), timezone: "Asia/Tokyo" },
      { from: new Date("2026-03-09T00:00:00Z"), to: new Date("2026-03-11T00:00:00Z"), timezone: "UTC" },
    ];

    // Act
    const reused = windows.map((w) => occurrencesOf(parsed, w).occurrences);
    const fresh = windows.map((w) => occurrencesOf(parseCalendar(ics), w).occurrences);

    // Assess
    expect(reused).toEqual(fresh);
    expect(reused[0]).toEqual(reused[2]);
    expect(reused[1]?.length).toBe(3);
  });
});

describe("hostile calendars", () => {
  it("reports 100,000 unterminated events as a few warnings and a count", () => {
    // Prepare
    const lines = ["BEGIN:VCALENDAR"];
    for (let i = 0; i < 100_000; i++) lines.push("BEGIN:VEVENT", `UID:open-${i}`);
    lines.push("END:VCALENDAR", "");

    // Act
    const calendar = parseCalendar(lines.join("\r\n"), {
      horizon: { from: new Date("2026-03-10T00:00:00Z"), to: new Date("2026-03-11T00:00:00Z") },
    });

    // Assess
    expect(calendar.warnings).toHaveLength(21);
    expect(calendar.warnings[0]).toBe("skipped VEVENT open-0: no END:VEVENT");
    expect(calendar.warnings[20]).toBe("…and 99980 more warnings like these");
  });

  it("cuts a warning that names a megabyte-long UID", () => {
    // Prepare
    const ics = ["BEGIN:VCALENDAR", "BEGIN:VEVENT", `UID:${"x".repeat(1_000_000)}`, "END:VCALENDAR", ""].join("\r\n");

    // Act
    const { warnings } = parseCalendar(ics);

    // Assess
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.length).toBeLessThanOrEqual(301);
  });

  it("reads only the zone blocks that the events it keeps use", () => {
    // Prepare: a thousand custom zones, one of them used by the one event near the horizon.
    const lines = ["BEGIN:VCALENDAR"];
    for (let i = 0; i < 1000; i++) {
      lines.push(...fixedZoneBlock(`Custom ${i}`));
    }
    lines.push("BEGIN:VEVENT", "UID:near", "DTSTART;TZID=Custom 7:20260310T090000", "SUMMARY:Near", "END:VEVENT");
    lines.push("BEGIN:VEVENT", "UID:far", "DTSTART;TZID=Custom 8:20190310T090000", "SUMMARY:Far", "END:VEVENT", "END:VCALENDAR", "");
    const calendar = parseCalendar(lines.join("\r\n"), {
      horizon: { from: new Date("2026-03-10T00:00:00Z"), to: new Date("2026-03-11T00:00:00Z") },
    });
    const asked: string[] = [];
    const blocks = calendar.vtimezones;
    calendar.vtimezones = { get: (tzid) => (asked.push(tzid), blocks.get(tzid)) };

    // Act
    const { occurrences } = occurrencesOf(calendar, {
      from: new Date("2026-03-10T00:00:00Z"),
      to: new Date("2026-03-11T00:00:00Z"),
      timezone: "UTC",
    });

    // Assess
    expect(occurrences.map((o) => o.start.toISOString())).toEqual(["2026-03-10T08:00:00.000Z"]);
    expect(asked).toEqual(["Custom 7"]);
  });

  it("skips an event whose RRULE is half a megabyte of repeated parts, in one pass, with a warning cut short", () => {
    // Prepare: each BYHOUR= made a pattern of the expansion read the rest of the rule again
    const rule = `FREQ=DAILY;BYHOUR=${"BYHOUR=1".repeat(60_000)}`;
    const ics = ruleCalendar([["long-rule", "20260310T090000Z", rule]]);

    // Act
    const calendar = parseCalendar(ics);

    // Assess
    expect(calendar.warnings).toHaveLength(1);
    expect(calendar.warnings[0]).toMatch(
      /^skipped event long-rule: RRULE part BYHOUR=BYHOUR=1BYHOUR=1.{0,60}… is not valid: BYHOUR takes hours/,
    );
  });

  it("reads rule values written as RFC 5545 and RFC 7529 allow, and two common slips: any case, signed ordinals, second 60, leap months; a trailing comma, a negative COUNT as none", () => {
    // Prepare
    const monday = (uid: string, rule: string) => [uid, "20260302T090000Z", rule] as const;
    const ics = ruleCalendar([
      monday("lower-case", "freq=weekly;byday=mo,tu;wkst=su;count=2"),
      monday("ordinals", "FREQ=MONTHLY;BYDAY=+1MO,-1FR;COUNT=2"),
      monday("leap-second", "FREQ=DAILY;BYSECOND=60;COUNT=1"),
      monday("spaces", "FREQ=DAILY;BYHOUR=9, 17;COUNT=2"),
      monday("trailing-comma", "FREQ=WEEKLY;BYDAY=MO,TU,;COUNT=2"),
      monday("negative-count", "FREQ=WEEKLY;UNTIL=20260317T090000Z;COUNT=-1"),
      monday("scaled", "FREQ=YEARLY;RSCALE=GREGORIAN;BYMONTH=3;BYMONTHDAY=2;COUNT=1"),
    ]);

    // Act
    const { warnings, occurrences } = readAndExpand(ics, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");

    // Assess: every event read, none skipped
    expect(warnings).toEqual([]);
    expect(new Set(occurrences.map((o) => o.uid))).toEqual(
      new Set(["lower-case", "ordinals", "leap-second", "spaces", "trailing-comma", "negative-count", "scaled"]),
    );
  });

  it("refuses an HTML page that merely contains BEGIN:VCALENDAR", () => {
    // Prepare
    const html = "<html><body><pre>BEGIN:VCALENDAR\nEND:VCALENDAR</pre></body></html>";

    // Act
    const read = () => parseCalendar(html);

    // Assess
    expect(read).toThrow(/HTML\/XML page/);
  });
});

import ical from "node-ical";
import { describe, expect, it } from "vitest";
import { EXPORT_WINDOW, googleExport } from "../../bench/google-export.ts";
import { icalJs } from "../../bench/ical-js.ts";
import { occurrencesOf, parseCalendar } from "../../src/calendar/expand.ts";

// Not a benchmark: the generated export of `npm run bench:calendar` must be the same text on every
// run and a calendar that every reader of the benchmark reads whole.
describe("the generated Google export", () => {
  it("is the same text for the same options, and another for another seed", () => {
    // Act
    const first = googleExport({ events: 400 });
    const second = googleExport({ events: 400 });
    const other = googleExport({ events: 400, seed: 7 });

    // Assess
    expect(second.ics).toBe(first.ics);
    expect(other.ics).not.toBe(first.ics);
  });

  it("is about 6 MB of 6,000 events by default, folded at 75 octets", () => {
    // Act
    const feed = googleExport();

    // Assess
    const bytes = Buffer.byteLength(feed.ics);
    expect(bytes).toBeGreaterThan(5.5 * 1024 * 1024);
    expect(bytes).toBeLessThan(7 * 1024 * 1024);
    expect(feed.events).toBe(6000);
    expect(feed.ics.match(/^BEGIN:VEVENT\r$/gm)).toHaveLength(6000);
    expect(feed.series).toBeGreaterThan(250);
    expect(feed.endedSeries / feed.series).toBeGreaterThan(0.75);
    expect(feed.overrides).toBeGreaterThan(300);
    const tooLong = feed.ics.split("\r\n").filter((line) => Buffer.byteLength(line) > 75);
    expect(tooLong).toEqual([]);
  });

  it("of one event holds an event of the window: the benchmark's baseline reads one event that matters", () => {
    // Act
    const feed = googleExport({ events: 1 });

    // Assess
    expect(feed.events).toBe(1);
    const window = { ...EXPORT_WINDOW, timezone: "Europe/Berlin" };
    expect(occurrencesOf(parseCalendar(feed.ics, { horizon: EXPORT_WINDOW }), window).occurrences).toHaveLength(1);
  });

  it("holds what a Google export holds", () => {
    // Act
    const { ics } = googleExport({ events: 1200 });

    // Assess
    for (const part of [
      /^X-WR-CALNAME:/m,
      /^X-WR-TIMEZONE:Europe\/Berlin/m,
      /^X-LIC-LOCATION:Australia\/Sydney/m,
      /^ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=/m,
      /^ORGANIZER;CN=/m,
      /^DTSTART;VALUE=DATE:\d{8}\r$/m,
      /;UNTIL=20(1[6-9]|2[0-5])\d{4}T\d{6}Z/,
      /;COUNT=\d+/,
      /^EXDATE;TZID=/m,
      /^RECURRENCE-ID;TZID=/m,
      /<br>Notes: <a href=/,
      /\\,/,
      /^BEGIN:VALARM/m,
      /[äöüéçøş]/,
    ]) {
      expect(ics).toMatch(part);
    }
  });

  it("is read whole by node-ical: every series, override and one-off event", () => {
    // Prepare
    const feed = googleExport({ events: 1200 });

    // Act
    const events = Object.values(ical.sync.parseICS(feed.ics)).filter((c) => c?.type === "VEVENT");
    const overrides = new Set(events.flatMap((e) => Object.values((e as { recurrences?: object }).recurrences ?? {})));

    // Assess
    expect(events.length + overrides.size).toBe(feed.events);
    expect(overrides.size).toBe(feed.overrides);
  });

  it("gives our engine and ical.js the same occurrences, in the window and years before it", () => {
    // Prepare
    const feed = googleExport({ events: 1200 });
    const ours = parseCalendar(feed.ics);
    const theirs = icalJs.parse(feed.ics);
    const windows = [
      EXPORT_WINDOW,
      { from: new Date("2026-11-25T00:00:00Z"), to: new Date("2026-12-09T00:00:00Z") },
      { from: new Date("2019-03-04T00:00:00Z"), to: new Date("2019-03-18T00:00:00Z") },
    ];

    for (const { from, to } of windows) {
      // Act
      const expansion = occurrencesOf(ours, { from, to, timezone: "Europe/Berlin" });
      const starts = icalJs.expand(theirs, from, to);

      // Assess
      expect(ours.warnings).toEqual([]);
      expect(expansion.warnings).toEqual([]);
      expect(expansion.occurrences.length).toBeGreaterThan(0);
      expect(expansion.occurrences.map((o) => o.start.getTime()).sort()).toEqual([...starts].sort());
    }
  });
});

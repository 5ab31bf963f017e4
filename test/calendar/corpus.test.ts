import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expandCalendar } from "../../src/calendar/expand.ts";
import { CalendarError } from "../../src/errors.ts";
import { difference, expectedLines, ourLines, readManifest } from "../support/ical-corpus.ts";

// Differential test against public calendars with reference occurrences from an independent
// implementation (python-recurring-ical-events 2.0.1). `.ci/run` sets ICAL_CORPUS when the corpus
// is there; without it this suite is skipped. No corpus file is copied into the project.
const root = process.env.ICAL_CORPUS;

/**
 * Files where we and the reference disagree, each with why we are right, and the exact size of the
 * disagreement (lines only we produce, lines only the reference produces), so that any change in
 * our output for these files shows up here too.
 */
const KNOWN: Record<string, { extra: number; missing: number; why: string }> = {
  "node-ical/fixtures_Office-2012-owa.ics": {
    extra: 90,
    missing: 88,
    why: 'Outlook display-label TZIDs ("(UTC-05:00) Eastern Time (US & Canada)", "(GMT+10:00) Canberra, Melbourne, Sydney") mean America/New_York and Australia/Sydney; the reference reads them as UTC',
  },
  "node-ical/fixtures_windows-quoted-tz-rrule.ics": {
    extra: 10,
    missing: 8,
    why: '"(UTC-05:00) Eastern Time (US and Canada)" is America/New_York (12:00 EDT = 16:00Z); the reference misplaces the start at 19:00Z, where its Los Angeles EXDATEs then match',
  },
  "node-ical/fixtures_music-school-weekly-until.ics": {
    extra: 9,
    missing: 9,
    why: 'TZID "(GMT +01:00)" is a fixed +01:00 offset; the reference reads it as UTC',
  },
  "node-ical/fixtures_biweekly-exdate-until.ics": {
    extra: 20,
    missing: 20,
    why: "a UTC DTSTART recurs at the same UTC time all year (RFC 5545 §3.3.5); the reference re-reads it in X-WR-TIMEZONE and moves winter instances by an hour",
  },
  "node-ical/fixtures_exchange_whole_day_moved_recurrence.ics": {
    extra: 1,
    missing: 0,
    why: "Outlook writes UNTIL of an all-day series as the organiser's midnight starting the last day (22:00Z = 18 Aug 00:00 CEST); the reference drops that last day",
  },
  "node-ical/fixtures_exchange_whole_day_moved_recurrence_offset_tz.ics": {
    extra: 1,
    missing: 0,
    why: "as above: Outlook's UTC UNTIL on an all-day series includes the day it is the midnight of",
  },
  "recurring-ical-events/issue_28_rrule_with_UTC_endinginZ.ics": {
    extra: 2,
    missing: 0,
    why: "as above: UNTIL=…T230000Z written by Outlook in London summer time is midnight of the last day, which stays in",
  },
  "node-ical/fixtures_non-utc-until-ny.ics": {
    extra: 1,
    missing: 0,
    why: "a local UNTIL on a DTSTART with TZID is read in that zone, as the writer meant (14:00 New York); the reference reads it as UTC and drops the last instance",
  },
  "node-ical/fixtures_recurrence-sequence.ics": {
    extra: 2,
    missing: 0,
    why: "RECURRENCE-IDs 09:00Z and 15:00Z match no instance of a 10:00Z series: the 10:00 instance stands and each orphan override is its own occurrence; the reference matches overrides by day and keeps the last",
  },
  "node-ical/fixtures_tv-show-episode.ics": {
    extra: 0,
    missing: 1,
    why: "the same UID, SEQUENCE and DTSTART written twice is one event (RFC 5545 §3.8.4.7), the later version; the reference lists both",
  },
  "recurring-ical-events/issue_107_omitting_last_event.ics": {
    extra: 1,
    missing: 0,
    why: "an instance exactly at UNTIL is the last one (RFC 5545 §3.3.10: UNTIL is inclusive); reference 2.0.1 omits it (its own issue 107)",
  },
  "recurring-ical-events/issue_148_ignored_exdate.ics": {
    extra: 0,
    missing: 1,
    why: "a higher SEQUENCE replaces the whole event, EXDATEs included (RFC 5545 §3.8.7.4); the reference mixes in the superseded version's instances",
  },
  "recurring-ical-events/issue_148_exdate_and_rdate_updated.ics": {
    extra: 0,
    missing: 2,
    why: "as above: the SEQUENCE 2 version's EXDATE and RDATE replace those of SEQUENCE 1",
  },
  "recurring-ical-events/issue_201_mixed_datetime_and_date.ics": {
    extra: 1,
    missing: 1,
    why: "DTSTART;VALUE=DATE makes the event all-day; a DATE-TIME DTEND (invalid, RFC 5545 §3.8.2.2) cannot make it a timed event at 00:00Z",
  },
  "recurring-ical-events/issue_201_test_matrix.ics": {
    extra: 2,
    missing: 2,
    why: "as above, for the DATE start with a floating and a UTC DATE-TIME end",
  },
  "recurring-ical-events/issue_75_range_parameter.ics": {
    extra: 185,
    missing: 184,
    why: "RANGE=THISANDFUTURE carries the change and its time shift to every later instance (RFC 5545 §3.2.13); reference 2.0.1 ignores RANGE",
  },
};

describe.skipIf(!root)("the calendar engine against the reference corpus", () => {
  const corpus = root ?? "";
  // Collected even when skipped: read the manifest only where there is one.
  const manifest = root ? readManifest(root) : { cases: [], skipped: [] };

  it.each(manifest.cases.map((c) => [c.file, c] as const))("agrees on %s, or disagrees only as pinned", (file, c) => {
    // Prepare
    const known = KNOWN[file];

    // Act
    const { extra, missing } = difference(ourLines(corpus, c), expectedLines(corpus, c));

    // Assess
    if (known) {
      expect({ extra: extra.length, missing: missing.length }).toEqual({ extra: known.extra, missing: known.missing });
    } else {
      expect({ extra, missing }).toEqual({ extra: [], missing: [] });
    }
  });

  it("pins only files that are in the corpus", () => {
    // Prepare
    const files = new Set(manifest.cases.map((c) => c.file));

    // Act
    const stale = Object.keys(KNOWN).filter((file) => !files.has(file));

    // Assess
    expect(stale).toEqual([]);
  });

  it.each(manifest.skipped.map(([file]) => [file] as const))("reads %s, which the reference could not, without crashing", (file) => {
    // Prepare
    const ics = readFileSync(join(corpus, file), "utf8");

    // Act
    const read = () =>
      expandCalendar(ics, { from: new Date("1990-01-01T00:00:00Z"), to: new Date("2030-01-01T00:00:00Z"), timezone: "UTC" });

    // Assess
    try {
      const { occurrences } = read();
      expect(Array.isArray(occurrences)).toBe(true);
    } catch (error) {
      expect(error).toBeInstanceOf(CalendarError);
    }
  });
});

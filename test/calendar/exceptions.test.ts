import { describe, expect, it } from "vitest";
import { expandCalendar } from "../../src/calendar/expand.ts";
import { expandFixture, startsOf } from "../support/calendar.ts";

describe("exceptions to a recurrence", () => {
  it("removes EXDATEs given in the series' zone or in UTC, on separate lines, across DST", () => {
    // Prepare: 09:30 New York is 14:30Z before 8 March 2026 and 13:30Z after.
    const fixture = "weekly-exdate-across-dst.ics";

    // Act
    const starts = startsOf(fixture, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");

    // Assess
    expect(starts).toEqual(["2026-03-02T14:30:00Z weekly-ny", "2026-03-23T13:30:00Z weekly-ny"]);
  });

  it("reads comma lists and VALUE=DATE exclusions, for timed and all-day series", () => {
    // Prepare
    const fixture = "exdate-comma-list-and-date.ics";

    // Act
    const starts = startsOf(fixture, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");

    // Assess
    expect(starts).toEqual([
      "2026-03-01T08:00:00Z daily",
      "2026-03-02 all-day-weekly",
      "2026-03-03T08:00:00Z daily",
      "2026-03-06T08:00:00Z daily",
      "2026-03-16 all-day-weekly",
    ]);
  });

  it("adds RDATEs: a date-time in any zone, a PERIOD with its own end, a DATE at the series' time", () => {
    // Prepare: 10:00 and 15:00 Berlin in March are 09:00Z and 14:00Z.
    const fixture = "rdate-date-time-and-period.ics";

    // Act
    const { occurrences } = expandFixture(fixture, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");

    // Assess
    expect(occurrences.map((o) => [o.start.toISOString(), o.end.toISOString()])).toEqual([
      ["2026-03-02T09:00:00.000Z", "2026-03-02T10:00:00.000Z"],
      ["2026-03-04T14:00:00.000Z", "2026-03-04T15:00:00.000Z"],
      ["2026-03-05T12:00:00.000Z", "2026-03-05T15:00:00.000Z"],
      ["2026-03-06T09:00:00.000Z", "2026-03-06T10:00:00.000Z"],
      ["2026-03-09T09:00:00.000Z", "2026-03-09T10:00:00.000Z"],
    ]);
  });

  it("applies Google's separate override VEVENTs: moved, retitled, cancelled, newest SEQUENCE first", () => {
    // Prepare: the overrides come before and after their series in the file.
    const fixture = "google-override-before-master.ics";

    // Act
    const { occurrences } = expandFixture(fixture, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");

    // Assess
    expect(occurrences.map((o) => [o.start.toISOString(), o.summary, o.recurrenceId])).toEqual([
      ["2026-03-02T09:00:00.000Z", "Standup", "2026-03-02T09:00:00Z"],
      ["2026-03-10T13:00:00.000Z", "Standup (moved)", "2026-03-09T09:00:00Z"],
      ["2026-03-23T09:00:00.000Z", "Standup (new title)", "2026-03-23T09:00:00Z"],
    ]);
  });

  it("shows an instance moved into the window from outside it, and drops one moved out", () => {
    // Prepare: the 9 March instance moved to 10 March.
    const fixture = "google-override-before-master.ics";

    // Act
    const into = startsOf(fixture, "2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z");
    const outOf = startsOf(fixture, "2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z");

    // Assess
    expect(into).toEqual(["2026-03-10T13:00:00Z standup@google"]);
    expect(outOf).toEqual([]);
  });

  it("lets a higher SEQUENCE replace an event wholly and never shows a cancelled one", () => {
    // Prepare
    const fixture = "master-sequence-replaces-older-version.ics";

    // Act
    const starts = startsOf(fixture, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");

    // Assess
    expect(starts).toEqual(["2026-03-05T15:00:00Z planning", "2026-03-12T15:00:00Z planning"]);
  });

  it("carries a RANGE=THISANDFUTURE change and its shift to every later instance", () => {
    // Prepare
    const fixture = "thisandfuture-moves-later-instances.ics";

    // Act
    const { occurrences } = expandFixture(fixture, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");

    // Assess
    expect(occurrences.map((o) => `${o.start.toISOString()}–${o.end.toISOString().slice(11)} ${o.summary}`)).toEqual([
      "2026-03-01T09:00:00.000Z–09:30:00.000Z Daily",
      "2026-03-02T09:00:00.000Z–09:30:00.000Z Daily",
      "2026-03-03T11:00:00.000Z–12:00:00.000Z Daily (later)",
      "2026-03-04T11:00:00.000Z–12:00:00.000Z Daily (later)",
      "2026-03-05T11:00:00.000Z–12:00:00.000Z Daily (later)",
    ]);
  });

  it("keeps a THISANDFUTURE shift on the series' clock across a DST change: Fridays 10:00 become Mondays 10:00", () => {
    // Prepare: Berlin moves to summer time on 29 March, between the Friday of the change and the
    // Mondays after it; 10:00 is 09:00Z before and 08:00Z after
    const fixture = "thisandfuture-across-dst.ics";

    // Act
    const starts = startsOf(fixture, "2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z");

    // Assess
    expect(starts).toEqual([
      "2026-03-06T09:00:00Z retro-tf",
      "2026-03-13T09:00:00Z retro-tf",
      "2026-03-23T09:00:00Z retro-tf",
      "2026-03-30T08:00:00Z retro-tf",
      "2026-04-06T08:00:00Z retro-tf",
      "2026-04-13T08:00:00Z retro-tf",
    ]);
  });

  it("takes versions of an override that name its instance in different forms as versions of one override", () => {
    // Prepare: the 3 March instance (10:00 Berlin, 09:00Z) is moved by SEQUENCE 1, named in Berlin
    // time, then again by SEQUENCE 2, named in UTC
    const fixture = "override-versions-in-two-forms.ics";

    // Act
    const { occurrences } = expandFixture(fixture, "2026-03-03T00:00:00Z", "2026-03-04T00:00:00Z");

    // Assess
    expect(occurrences.map((o) => `${o.start.toISOString()} ${o.summary}`)).toEqual(["2026-03-03T14:00:00.000Z Standup (moved again)"]);
  });

  it("removes an instance by its EXDATE when a THISANDFUTURE shift moves it into the window from weeks before", () => {
    // Prepare: weekly from 5 January; from the first instance on, everything moves five weeks later.
    // The instance of 2 March is excluded: it would land on 6 April.
    const ics = (exdate: string) =>
      [
        "BEGIN:VCALENDAR",
        "BEGIN:VEVENT",
        "UID:moved",
        "DTSTART:20260105T100000Z",
        "DURATION:PT1H",
        "RRULE:FREQ=WEEKLY",
        exdate,
        "SUMMARY:Weekly",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:moved",
        "RECURRENCE-ID;RANGE=THISANDFUTURE:20260105T100000Z",
        "DTSTART:20260209T100000Z",
        "DURATION:PT1H",
        "SUMMARY:Weekly, later",
        "END:VEVENT",
        "END:VCALENDAR",
      ].join("\r\n");
    const window = { from: new Date("2026-04-06T00:00:00Z"), to: new Date("2026-04-07T00:00:00Z"), timezone: "UTC" };

    // Act
    const without = expandCalendar(ics("EXDATE:20251229T100000Z"), window).occurrences;
    const excluded = expandCalendar(ics("EXDATE:20260302T100000Z"), window).occurrences;

    // Assess
    expect(without.map((o) => [o.start.toISOString(), o.summary])).toEqual([["2026-04-06T10:00:00.000Z", "Weekly, later"]]);
    expect(excluded).toEqual([]);
  });
});

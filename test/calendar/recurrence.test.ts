import { describe, expect, it } from "vitest";
import { expandFixture, startsOf } from "../support/calendar.ts";

describe("recurrence rules", () => {
  it("finds the last Friday of each month and keeps its wall time across DST", () => {
    // Prepare: 10:00 Berlin is 09:00Z in winter, 08:00Z from 29 March 2026.
    const fixture = "monthly-last-friday-across-dst.ics";

    // Act
    const starts = startsOf(fixture, "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z");
    const { occurrences } = expandFixture(fixture, "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z");

    // Assess: DURATION:PT1H gives every instance its hour.
    expect(occurrences.map((o) => o.end.getTime() - o.start.getTime())).toEqual([3_600_000, 3_600_000, 3_600_000, 3_600_000]);
    expect(starts).toEqual([
      "2026-01-30T09:00:00Z last-friday",
      "2026-02-27T09:00:00Z last-friday",
      "2026-03-27T09:00:00Z last-friday",
      "2026-04-24T08:00:00Z last-friday",
    ]);
  });

  it("keeps the written time of day of a DTSTART a DST gap skips, and counts it once", () => {
    // Prepare: 02:30 on 29 March 2026 does not exist in Berlin; DTSTART is placed at 03:30 CEST
    // (01:30Z), and the later instances are at 02:30 as written (00:30Z in summer time)
    const fixture = "series-starting-in-a-dst-gap.ics";

    // Act
    const starts = startsOf(fixture, "2026-01-01T00:00:00Z", "2029-01-01T00:00:00Z");

    // Assess: three instances each, COUNT=3
    expect(starts).toEqual([
      "2026-03-29T01:30:00Z monthly-from-gap",
      "2026-03-29T01:30:00Z yearly-from-gap",
      "2026-04-29T00:30:00Z monthly-from-gap",
      "2026-05-29T00:30:00Z monthly-from-gap",
      "2027-03-29T00:30:00Z yearly-from-gap",
      "2028-03-29T00:30:00Z yearly-from-gap",
    ]);
  });

  it("counts an hourly rule on the zone's clock at the DST fall-back, in a named zone as in a VTIMEZONE", () => {
    // Prepare: Berlin's clocks go back from 03:00 CEST to 02:00 CET on 25 October 2026. Every two
    // hours on its clock from 23:00 is 23:00 and 01:00 CEST, then 03:00 and 05:00 CET; counted by
    // elapsed time it would be 02:00 and 04:00 CET after the change.
    const fixture = "hourly-across-fall-back.ics";

    // Act
    const starts = startsOf(fixture, "2026-10-24T00:00:00Z", "2026-10-26T00:00:00Z");

    // Assess
    const expected = ["2026-10-24T21:00:00Z", "2026-10-24T23:00:00Z", "2026-10-25T02:00:00Z", "2026-10-25T04:00:00Z"];
    expect(starts).toEqual(expected.flatMap((start) => [`${start} hourly-named-zone`, `${start} hourly-vtimezone`]));
  });

  it("counts BYMONTHDAY from the month's end when negative and picks BYSETPOS from the set", () => {
    // Prepare
    const fixture = "monthly-negative-monthday-and-setpos.ics";

    // Act
    const starts = startsOf(fixture, "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z");

    // Assess: 31 Jan, 28 Feb, 31 Mar; last weekday: Fri 30 Jan, Fri 27 Feb, Tue 31 Mar.
    expect(starts).toEqual([
      "2026-01-30T17:00:00Z last-workday",
      "2026-01-31T12:00:00Z last-day",
      "2026-02-27T17:00:00Z last-workday",
      "2026-02-28T12:00:00Z last-day",
      "2026-03-31T12:00:00Z last-day",
      "2026-03-31T17:00:00Z last-workday",
    ]);
  });

  it("places BYWEEKNO in ISO weeks and repeats BYMONTH lists yearly", () => {
    // Prepare: ISO week 20 starts Mon 11 May 2026, 17 May 2027, 15 May 2028.
    const fixture = "yearly-byweekno-and-bymonth.ics";

    // Act
    const starts = startsOf(fixture, "2026-01-01T00:00:00Z", "2029-01-01T00:00:00Z");

    // Assess
    expect(starts).toEqual([
      "2026-03-01T08:00:00Z twice-a-year",
      "2026-05-11T09:00:00Z week-20",
      "2026-09-01T08:00:00Z twice-a-year",
      "2027-03-01T08:00:00Z twice-a-year",
      "2027-05-17T09:00:00Z week-20",
      "2028-05-15T09:00:00Z week-20",
    ]);
  });

  it("lets WKST decide which days an every-other-week rule takes (RFC 5545's own example)", () => {
    // Prepare
    const fixture = "weekly-interval-wkst.ics";

    // Act
    const starts = startsOf(fixture, "1997-08-01T00:00:00Z", "1997-09-30T00:00:00Z");

    // Assess: WKST=MO gives Aug 5, 10, 19, 24; WKST=SU gives Aug 5, 17, 19, 31.
    expect(starts.filter((s) => s.endsWith("wkst-mo"))).toEqual([
      "1997-08-05T09:00:00Z wkst-mo",
      "1997-08-10T09:00:00Z wkst-mo",
      "1997-08-19T09:00:00Z wkst-mo",
      "1997-08-24T09:00:00Z wkst-mo",
    ]);
    expect(starts.filter((s) => s.endsWith("wkst-su"))).toEqual([
      "1997-08-05T09:00:00Z wkst-su",
      "1997-08-17T09:00:00Z wkst-su",
      "1997-08-19T09:00:00Z wkst-su",
      "1997-08-31T09:00:00Z wkst-su",
    ]);
  });

  it("ends at UNTIL inclusive, whether UTC, a date or local time, and honours COUNT with INTERVAL", () => {
    // Prepare: 09:00 New York in early March is 14:00Z; 11:00 Berlin is 10:00Z.
    const fixture = "until-utc-date-and-local.ics";

    // Act
    const starts = startsOf(fixture, "2026-02-01T00:00:00Z", "2026-04-01T00:00:00Z");

    // Assess
    expect(starts).toEqual([
      "2026-03-01T10:00:00Z until-date",
      "2026-03-01T10:00:00Z until-local",
      "2026-03-01T12:00:00Z count-interval",
      "2026-03-01T14:00:00Z until-utc",
      "2026-03-02T10:00:00Z until-date",
      "2026-03-02T10:00:00Z until-local",
      "2026-03-02T14:00:00Z until-utc",
      "2026-03-03T10:00:00Z until-date",
      "2026-03-03T14:00:00Z until-utc",
      "2026-03-04T12:00:00Z count-interval",
      "2026-03-07T12:00:00Z count-interval",
    ]);
  });

  it("expands hourly and minutely rules in the window", () => {
    // Prepare
    const fixture = "sub-daily-rules.ics";

    // Act
    const starts = startsOf(fixture, "2026-03-01T00:00:00Z", "2026-03-01T13:00:00Z");

    // Assess
    expect(starts).toEqual([
      "2026-03-01T00:00:00Z quarter-hourly",
      "2026-03-01T00:00:00Z six-hourly",
      "2026-03-01T00:15:00Z quarter-hourly",
      "2026-03-01T00:30:00Z quarter-hourly",
      "2026-03-01T06:00:00Z six-hourly",
      "2026-03-01T12:00:00Z six-hourly",
    ]);
  });

  it("caps a minutely or secondly rule over a wide window and says so, keeping the other series whole", () => {
    // Prepare: a year of minutes since 2000 is half a million instances.
    const fixture = "minutely-forever-since-2000.ics";

    // Act
    const { occurrences, warnings } = expandFixture(fixture, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");

    // Assess
    const count = (uid: string) => occurrences.filter((o) => o.uid === uid).length;
    expect(count("every-minute")).toBe(1000);
    expect(count("every-second")).toBe(1000);
    expect(count("weekly")).toBe(44); // 2 March to 28 December 2026
    expect(warnings).toEqual([
      expect.stringContaining("event every-minute: more than 1000 occurrences"),
      expect.stringContaining("event every-second: more than 1000 occurrences"),
    ]);
  });
});

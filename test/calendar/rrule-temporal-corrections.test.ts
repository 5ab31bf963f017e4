import { RRuleTemporal } from "rrule-temporal";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { readAndExpand, ruleCalendar, startsOf } from "../support/calendar.ts";

/**
 * What rrule-temporal 2 alone answers for a rule over [from, to): the way a caller would use it,
 * DTSTART given as the rule's own start (a DATE as midnight UTC), instances from `between`.
 */
function rruleTemporalStarts(
  dtstart: string,
  rule: string,
  from: string,
  to: string,
  allDay: boolean,
  uid: string,
  timeZone?: string,
): string[] {
  const start = allDay
    ? Temporal.PlainDate.from(dtstart).toZonedDateTime({ timeZone: "UTC" })
    : timeZone
      ? Temporal.PlainDateTime.from(dtstart).toZonedDateTime(timeZone)
      : Temporal.Instant.from(dtstart).toZonedDateTimeISO("UTC");
  const expander = new RRuleTemporal({ rruleString: `RRULE:${rule}`, dtstart: start });
  return expander
    .between(Temporal.Instant.from(from).toZonedDateTimeISO("UTC"), Temporal.Instant.from(to).toZonedDateTimeISO("UTC"), true)
    .map((zdt) => `${allDay ? zdt.toPlainDate().toString() : zdt.toInstant().toString()} ${uid}`);
}

// Each case is a rule part RFC 5545 §3.3.10 defines and rrule-temporal expands otherwise; our layer
// (src/calendar/rule.ts) corrects it. The hand-worked answer is asserted for both: should
// rrule-temporal start to agree, its assertion fails and the correction can go.
const CASES = [
  {
    what: "BYHOUR is ignored on a DATE-valued DTSTART (a daily all-day rule keeps all its days)",
    fixture: "all-day-daily-with-byhour.ics",
    uid: "office-plants",
    dtstart: "2026-03-01",
    rule: "FREQ=DAILY;BYHOUR=10,14;COUNT=5",
    allDay: true,
    window: ["2026-02-01T00:00:00Z", "2026-04-01T00:00:00Z"],
    right: ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"],
  },
  {
    what: "BYDAY limits BYYEARDAY (the first Monday among the year's first seven days)",
    fixture: "yearly-byyearday-limited-by-byday.ics",
    uid: "first-monday",
    dtstart: "2026-01-05T09:00:00Z",
    rule: "FREQ=YEARLY;BYYEARDAY=1,2,3,4,5,6,7;BYDAY=MO",
    allDay: false,
    window: ["2026-01-01T00:00:00Z", "2029-02-01T00:00:00Z"],
    right: ["2026-01-05T09:00:00Z", "2027-01-04T09:00:00Z", "2028-01-03T09:00:00Z", "2029-01-01T09:00:00Z"],
  },
  {
    what: "BYMONTHDAY limits BYYEARDAY: the 200th day of the year only when it is a 19th",
    fixture: "yearly-bymonthday-limits-byyearday.ics",
    uid: "day-two-hundred",
    dtstart: "2026-07-19T09:00:00Z",
    rule: "FREQ=YEARLY;BYYEARDAY=200;BYMONTHDAY=19",
    allDay: false,
    // The 200th day is 19 July, but 18 July in a leap year (2028).
    window: ["2026-07-01T00:00:00Z", "2030-01-01T00:00:00Z"],
    right: ["2026-07-19T09:00:00Z", "2027-07-19T09:00:00Z", "2029-07-19T09:00:00Z"],
  },
  {
    what: "a yearly BYMONTHDAY without BYMONTH takes the month from DTSTART (a birthday, once a year)",
    fixture: "yearly-bymonthday-without-bymonth.ics",
    uid: "birthday",
    dtstart: "2026-03-15",
    rule: "FREQ=YEARLY;BYMONTHDAY=15",
    allDay: true,
    window: ["2026-01-01T00:00:00Z", "2028-01-01T00:00:00Z"],
    right: ["2026-03-15", "2027-03-15"],
  },
  {
    what: "a yearly BYWEEKNO without BYDAY takes the weekday from DTSTART, whatever the window",
    fixture: "yearly-byweekno-without-byday.ics",
    uid: "week-twenty",
    dtstart: "2026-05-13T09:00:00Z",
    rule: "FREQ=YEARLY;BYWEEKNO=20",
    allDay: false,
    // A window that starts mid-series, in the week before week 20 of 2028.
    window: ["2028-05-10T00:00:00Z", "2029-06-01T00:00:00Z"],
    right: ["2028-05-17T09:00:00Z", "2029-05-16T09:00:00Z"],
  },
  {
    what: "COUNT counts DTSTART when it lies in the previous year's last ISO week (Friday 1 January 2021, week 53 of 2020)",
    fixture: "yearly-byweekno-count-dtstart-in-last-iso-week.ics",
    uid: "new-year-friday",
    dtstart: "2021-01-01T09:00:00Z",
    rule: "FREQ=YEARLY;BYWEEKNO=53;BYDAY=FR;COUNT=2",
    allDay: false,
    window: ["2020-12-01T00:00:00Z", "2034-01-01T00:00:00Z"],
    // The next year with a week 53 is 2026: its Friday is 1 January 2027.
    right: ["2021-01-01T09:00:00Z", "2027-01-01T09:00:00Z"],
  },
  {
    what: "a yearly ordinal BYDAY beside a plain weekday keeps both: the 20th Monday of the year and every Tuesday",
    fixture: "yearly-ordinal-byday-beside-plain-weekday.ics",
    uid: "twentieth-monday",
    dtstart: "2026-01-05T10:00:00Z",
    rule: "FREQ=YEARLY;BYDAY=20MO,TU",
    allDay: false,
    window: ["2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z"],
    right: ["2026-05-05T10:00:00Z", "2026-05-12T10:00:00Z", "2026-05-18T10:00:00Z", "2026-05-19T10:00:00Z", "2026-05-26T10:00:00Z"],
  },
  {
    what: "a yearly ordinal BYDAY limits BYMONTHDAY: the tenth Friday of the year only when it is a 13th",
    fixture: "yearly-ordinal-byday-limits-bymonthday.ics",
    uid: "tenth-friday-13th",
    dtstart: "2026-01-01T10:00:00Z",
    rule: "FREQ=YEARLY;BYMONTHDAY=13;BYDAY=10FR",
    allDay: false,
    // The tenth Fridays of 2026 to 2031 fall on 6, 5, 10, 9, 8 and 7 March: none is a 13th.
    window: ["2026-01-02T00:00:00Z", "2032-01-01T00:00:00Z"],
    right: [],
  },
  {
    what: "a sub-daily rule counts hours on its zone's clock across a DST change (every two hours from 8 to 16, Berlin)",
    fixture: "hourly-across-dst-on-the-zones-clock.ics",
    uid: "two-hourly-check",
    // A wall time in `timeZone`, as the fixture's DTSTART;TZID writes it.
    dtstart: "2026-03-25T08:00:00",
    timeZone: "Europe/Berlin",
    rule: "FREQ=HOURLY;INTERVAL=2;BYHOUR=8,10,12,14,16",
    allDay: false,
    // The day after Berlin's clocks went forward (29 March 2026): still 8:00 to 16:00 local, now UTC+2.
    window: ["2026-03-30T00:00:00Z", "2026-03-31T00:00:00Z"],
    right: ["2026-03-30T06:00:00Z", "2026-03-30T08:00:00Z", "2026-03-30T10:00:00Z", "2026-03-30T12:00:00Z", "2026-03-30T14:00:00Z"],
  },
];

describe("corrections to rrule-temporal (RFC 5545 §3.3.10)", () => {
  it.each(CASES.map((c) => [c.what, c] as const))("corrects: %s", (_, c) => {
    // Prepare
    const [from, to] = c.window as [string, string];
    const right = c.right.map((start) => `${start} ${c.uid}`);

    // Act
    const ours = startsOf(c.fixture, from, to);
    const theirs = rruleTemporalStarts(c.dtstart, c.rule, from, to, c.allDay, c.uid, c.timeZone);

    // Assess
    expect(ours).toEqual(right);
    expect(theirs).not.toEqual(right);
  });
});

describe("rule values rrule-temporal accepts and RFC 5545 §3.3.10 does not", () => {
  it.each([
    ["an hour past 23", "FREQ=DAILY;BYHOUR=25", "BYHOUR=25 is not valid: BYHOUR takes hours from 0 to 23"],
    ["an hour that is no number", "FREQ=DAILY;BYHOUR=abc", "BYHOUR=abc is not valid"],
    ["a minute past 59", "FREQ=DAILY;BYMINUTE=61", "BYMINUTE=61 is not valid: BYMINUTE takes minutes from 0 to 59"],
    ["a thirteenth month", "FREQ=YEARLY;BYMONTH=13", "BYMONTH=13 is not valid: BYMONTH takes months from 1 to 12"],
  ])("skips the event of %s, naming the part, where rrule-temporal alone expands it", (_, rule, message) => {
    // Prepare
    const ics = ruleCalendar([["bad-rule", "20260301T090000Z", rule]]);

    // Act
    const { warnings, occurrences } = readAndExpand(ics, "2026-03-01T00:00:00Z", "2026-03-03T00:00:00Z");
    const theirs = rruleTemporalStarts("2026-03-01T09:00:00Z", rule, "2026-03-01T00:00:00Z", "2026-03-03T00:00:00Z", false, "bad-rule");

    // Assess
    expect(occurrences).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining(`skipped event bad-rule: RRULE part ${message}`)]);
    expect(theirs.length).toBeGreaterThan(0);
  });
});

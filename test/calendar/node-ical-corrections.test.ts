import ical, { type VEvent } from "node-ical";
import { describe, expect, it } from "vitest";
import { calendarFixture, startsOf } from "../support/calendar.ts";

/** What node-ical 0.27 alone answers: its parser and its expandRecurringEvent, as a caller would use them. */
function nodeIcalStarts(fixture: string, from: string, to: string): string[] {
  const data = ical.sync.parseICS(calendarFixture(fixture));
  const starts: string[] = [];
  for (const component of Object.values(data)) {
    if (component?.type !== "VEVENT") continue;
    const event = component as VEvent;
    for (const instance of ical.expandRecurringEvent(event, { from: new Date(from), to: new Date(to) })) {
      if (String(instance.event.status ?? "").toUpperCase() === "CANCELLED") continue;
      const start = instance.start as Date;
      const day = `${start.getFullYear()}-${String(start.getMonth() + 1).padStart(2, "0")}-${String(start.getDate()).padStart(2, "0")}`;
      starts.push(`${instance.isFullDay ? day : start.toISOString().replace(".000", "")} ${event.uid}`);
    }
  }
  return starts.sort();
}

// Each case is a place where node-ical's own answer is wrong and our layer corrects it. The hand-worked
// answer is asserted for both: should node-ical start to agree, the first assertion fails and the
// correction can go.
const CORRECTIONS = [
  {
    what: "RDATE is not expanded by node-ical",
    fixture: "rdate-date-time-and-period.ics",
    window: ["2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"],
    tz: "UTC",
    right: [
      "2026-03-02T09:00:00Z workshop",
      "2026-03-04T14:00:00Z workshop",
      "2026-03-05T12:00:00Z workshop",
      "2026-03-06T09:00:00Z workshop",
      "2026-03-09T09:00:00Z workshop",
    ],
  },
  {
    what: "floating times are read in the process's zone, not the calendar's X-WR-TIMEZONE",
    fixture: "floating-in-calendar-zone.ics",
    window: ["2026-03-09T00:00:00Z", "2026-03-11T00:00:00Z"],
    tz: "UTC",
    right: ["2026-03-10T00:00:00Z floating-tokyo", "2026-03-10T09:00:00Z utc"],
  },
  {
    what: "a floating time the process's zone skips at DST is moved by that zone's gap",
    fixture: "floating-time-in-process-zone-gap.ics",
    window: ["2026-03-07T00:00:00Z", "2026-03-09T00:00:00Z"],
    tz: "UTC",
    right: ["2026-03-08T01:30:00Z floating-gap"],
  },
  {
    what: "a repeated local time (DST fall-back) is read as its second occurrence, not the first",
    fixture: "dst-gap-and-overlap.ics",
    window: ["2026-10-01T00:00:00Z", "2026-12-01T00:00:00Z"],
    tz: "UTC",
    right: ["2026-11-01T05:30:00Z overlap"],
  },
  {
    what: "RECURRENCE-ID;RANGE=THISANDFUTURE changes only the one instance",
    fixture: "thisandfuture-moves-later-instances.ics",
    window: ["2026-03-03T00:00:00Z", "2026-03-06T00:00:00Z"],
    tz: "UTC",
    right: ["2026-03-03T11:00:00Z daily-tf", "2026-03-04T11:00:00Z daily-tf", "2026-03-05T11:00:00Z daily-tf"],
  },
  {
    what: "Outlook's UTC UNTIL on an all-day series (the organiser's midnight) drops the last day",
    fixture: "outlook-all-day-until-organiser-midnight.ics",
    window: ["2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"],
    tz: "UTC",
    right: ["2026-03-03 bins@outlook", "2026-03-10 bins@outlook", "2026-03-17 bins@outlook"],
  },
] as const;

describe("corrections to node-ical", () => {
  it.each(CORRECTIONS.map((c) => [c.what, c] as const))("corrects: %s", (_, c) => {
    // Prepare
    const [from, to] = c.window;

    // Act
    const theirs = nodeIcalStarts(c.fixture, from, to);
    const ours = startsOf(c.fixture, from, to, c.tz);

    // Assess
    expect(theirs).not.toEqual(c.right);
    expect(ours).toEqual(c.right);
  });
});

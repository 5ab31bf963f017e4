import { describe, expect, it } from "vitest";
import { occurrencesOf, parseCalendar, parseSteps } from "../../src/calendar/expand.ts";
import { CalendarWorkError, finish, WorkBudget } from "../../src/calendar/work.ts";

// Rules are untrusted: what they cost is counted in instances generated, against a per-feed
// budget, and the work is done in steps a caller can pause between.

const WINDOW = { from: new Date("2026-03-12T14:50:00Z"), to: new Date("2026-03-12T15:10:00Z"), timezone: "UTC" };

function calendar(events: string[]): string {
  return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//work//EN", ...events, "END:VCALENDAR", ""].join("\r\n");
}

function event(uid: string, summary: string, start: string, rule: string): string {
  return ["BEGIN:VEVENT", `UID:${uid}`, `SUMMARY:${summary}`, `DTSTART:${start}`, `RRULE:${rule}`, "END:VEVENT"].join("\r\n");
}

const standup = event("standup", "Stand-up", "20240101T150000Z", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR");

describe("the work budget of a feed's expansion", () => {
  it("costs a weekly series a handful of instances however long ago it started", () => {
    // Prepare
    const work = new WorkBudget();

    // Act
    const { occurrences } = occurrencesOf(parseCalendar(calendar([standup])), WINDOW, work);

    // Assess
    expect(occurrences.map((o) => o.start.toISOString())).toEqual(["2026-03-12T15:00:00.000Z"]);
    expect(work.spent).toBeLessThan(20);
  });

  it("costs a COUNT rule that ends in its first weeks what it has before its end, not centuries of instances", () => {
    // Prepare: three instances on Tuesdays and Thursdays of 2010, and 84 finished club evenings
    // (monthly on the second Tuesday, five each) from 2005 to 2024
    const short = event("short", "Kick-off", "20100105T100000Z", "FREQ=YEARLY;BYDAY=TU,TH;COUNT=3");
    const clubs = Array.from({ length: 84 }, (_, i) => {
      const year = 2005 + Math.floor(i / 4.2);
      return event(`club-${i}`, "Club evening", `${year}0${1 + (i % 9)}10T190000Z`, "FREQ=MONTHLY;BYDAY=2TU;COUNT=5");
    });
    const work = new WorkBudget();

    // Act
    const early = occurrencesOf(
      parseCalendar(calendar([short])),
      { from: new Date("2010-01-01T00:00:00Z"), to: new Date("2010-02-01T00:00:00Z"), timezone: "UTC" },
      new WorkBudget(),
    );
    occurrencesOf(parseCalendar(calendar(clubs)), WINDOW, work);

    // Assess
    expect(early.occurrences.map((o) => o.start.toISOString().slice(0, 10))).toEqual(["2010-01-05", "2010-01-07", "2010-01-12"]);
    expect(work.spent).toBeLessThan(84 * 100);
  });

  it("fails a feed of secondly rules since 1970, naming the event that cost the most", () => {
    // Prepare: one costly rule among cheap ones
    const events = [
      standup,
      event("tick", "Tick", "19700101T000000Z", "FREQ=SECONDLY"),
      event("tock", "Tock", "20260312T145900Z", "FREQ=MINUTELY"),
    ];
    const parsed = parseCalendar(calendar(events));

    // Act
    const expand = () => occurrencesOf(parsed, WINDOW, new WorkBudget(2_000));

    // Assess
    expect(expand).toThrow(CalendarWorkError);
    expect(expand).toThrow(/more than 2000 recurrence instances .*come from "Tick" \(UID tick\): .*raise limits\.instancesPerFeed$/);
  });

  it("does not take a COUNT it could not walk for the series' end: it reports the work instead", () => {
    // Prepare: a minutely COUNT of two billion since 2025 (rrule-temporal alone gives up on it and
    // ends the series early, so the window would silently be empty)
    const parsed = parseCalendar(calendar([event("flood", "Flood", "20251201T000000Z", "FREQ=MINUTELY;COUNT=2147483647")]));

    // Act
    const expand = () => occurrencesOf(parsed, WINDOW, new WorkBudget(5_000));

    // Assess
    expect(expand).toThrow(/come from "Flood" \(UID flood\)/);
  });

  it("walks a COUNT from DTSTART in steps and ends the series at its last instance", () => {
    // Prepare: a secondly COUNT that ends 30 s into a one-minute window, and one that goes past it
    const ending = event("ending", "Ending", "20260312T130000Z", "FREQ=SECONDLY;COUNT=6630");
    const going = event("going", "Going", "20260312T130000Z", "FREQ=SECONDLY;INTERVAL=10;COUNT=5000");
    const parsed = parseCalendar(calendar([ending, going]));
    const minute = { from: new Date("2026-03-12T14:50:00Z"), to: new Date("2026-03-12T14:51:00Z"), timezone: "UTC" };

    // Act
    const { occurrences } = occurrencesOf(parsed, minute);

    // Assess: 13:00:00 + 6629 s = 14:50:29 is the last of "ending"; "going" has one every 10 s
    const starts = (uid: string) => occurrences.filter((o) => o.uid === uid).map((o) => o.start.toISOString().slice(11, 19));
    expect(starts("ending")).toHaveLength(30);
    expect(starts("ending").at(-1)).toBe("14:50:29");
    expect(starts("going")).toEqual(["14:50:00", "14:50:10", "14:50:20", "14:50:30", "14:50:40", "14:50:50"]);
  });

  it("resumes a COUNT walk for a later window instead of walking from DTSTART again", () => {
    // Prepare
    const parsed = parseCalendar(calendar([event("daily", "Daily", "20100101T150000Z", "FREQ=DAILY;COUNT=100000")]));
    occurrencesOf(parsed, WINDOW);
    const later = new WorkBudget();

    // Act: the next run's window, on the calendar kept for a 304
    const { occurrences } = occurrencesOf(
      parsed,
      { ...WINDOW, from: new Date("2026-03-13T14:50:00Z"), to: new Date("2026-03-13T15:10:00Z") },
      later,
    );

    // Assess
    expect(occurrences.map((o) => o.start.toISOString())).toEqual(["2026-03-13T15:00:00.000Z"]);
    expect(later.spent).toBeLessThan(20);
  });
});

describe("reading in steps", () => {
  it("yields between stretches of a long feed and reads it exactly as at once", () => {
    // Prepare: about 2 MB of one-off events
    const events = Array.from({ length: 9_000 }, (_, i) =>
      [
        "BEGIN:VEVENT",
        `UID:e${i}`,
        `SUMMARY:Meeting ${i}`,
        `DTSTART:2026${String((i % 12) + 1).padStart(2, "0")}12T150000Z`,
        `DESCRIPTION:${"x".repeat(150)}`,
        "END:VEVENT",
      ].join("\r\n"),
    );
    const text = calendar(events);
    const horizon = { from: new Date("2026-03-11T00:00:00Z"), to: new Date("2026-03-20T00:00:00Z") };

    // Act
    const steps = parseSteps(text, { horizon });
    let pauses = 0;
    let step = steps.next();
    while (!step.done) {
      pauses += 1;
      step = steps.next();
    }
    const atOnce = finish(parseSteps(text, { horizon }));

    // Assess
    expect(text.length).toBeGreaterThan(2_000_000);
    expect(pauses).toBeGreaterThan(5);
    expect(occurrencesOf(step.value, WINDOW)).toEqual(occurrencesOf(atOnce, WINDOW));
    expect(step.value.series.map((s) => s.uid)).toEqual(atOnce.series.map((s) => s.uid));
    expect(step.value.eventCount).toBe(9_000);
  });
});

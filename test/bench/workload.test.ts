import ical from "node-ical";
import { describe, expect, it } from "vitest";
import { syntheticCalendar } from "../../bench/workload.ts";
import { occurrencesOf, parseCalendar } from "../../src/calendar/expand.ts";

// Not a benchmark: the feeds `npm run compare` and `npm run bench:scale` serve.
describe("the synthetic workload calendar", () => {
  const dueAt = new Date("2026-12-02T09:11:00Z");

  it("is the same text for the same feed, and another for another feed", () => {
    // Act
    const first = syntheticCalendar("feed-1", dueAt, 3, 200);
    const again = syntheticCalendar("feed-1", dueAt, 3, 200);
    const other = syntheticCalendar("feed-2", dueAt, 3, 200);

    // Assess
    expect(again).toBe(first);
    expect(other.replaceAll("feed-2", "feed-1")).not.toBe(first);
  });

  it("holds 200 past events in about 25 KB, read whole by node-ical and without a warning by our engine", () => {
    // Act
    const ics = syntheticCalendar("feed-7", dueAt, 0, 200);
    const ours = parseCalendar(ics);
    const theirs = Object.values(ical.sync.parseICS(ics)).filter((c) => c?.type === "VEVENT");

    // Assess
    expect(Buffer.byteLength(ics) / 1024).toBeGreaterThan(22);
    expect(Buffer.byteLength(ics) / 1024).toBeLessThan(30);
    expect(ours.warnings).toEqual([]);
    expect(theirs).toHaveLength(201);
    expect(ics.match(/^RRULE:FREQ=WEEKLY;(UNTIL|COUNT)=/gm)?.length).toBe(20);
  });

  it("has nothing but the due meeting and the live series in the month around the due meeting", () => {
    // Prepare
    const ics = syntheticCalendar("feed-3", dueAt, 2, 300);

    // Act
    const month = occurrencesOf(parseCalendar(ics), {
      from: new Date(dueAt.getTime() - 30 * 86_400_000),
      to: new Date(dueAt.getTime() + 30 * 86_400_000),
      timezone: "UTC",
    });

    // Assess
    const uids = new Set(month.occurrences.map((o) => o.uid));
    expect([...uids].sort()).toEqual(["feed-3-0@bench", "feed-3-1@bench", "feed-3-due@bench"]);
  });
});

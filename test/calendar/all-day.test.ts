import { describe, expect, it } from "vitest";
import { occurrenceLine } from "../../src/calendar/occurrence.ts";
import { expandFixture } from "../support/calendar.ts";

describe("all-day events", () => {
  it("start at midnight of their day in the configured zone and end at the exclusive DTEND or DURATION", () => {
    // Prepare: midnight in Tokyo (+09:00) is 15:00Z the day before.
    const fixture = "all-day-single-multi-and-duration.ics";

    // Act
    const { occurrences } = expandFixture(fixture, "2026-03-09T15:00:00Z", "2026-04-01T00:00:00Z", "Asia/Tokyo");

    // Assess
    expect(occurrences.map((o) => [o.uid, o.day, o.start.toISOString(), o.end.toISOString(), o.allDay])).toEqual([
      ["single", "2026-03-10", "2026-03-09T15:00:00.000Z", "2026-03-10T15:00:00.000Z", true],
      ["multi", "2026-03-12", "2026-03-11T15:00:00.000Z", "2026-03-14T15:00:00.000Z", true],
      ["duration", "2026-03-20", "2026-03-19T15:00:00.000Z", "2026-03-21T15:00:00.000Z", true],
    ]);
  });

  it("belong to the window their local midnight falls in", () => {
    // Prepare: the 10 March event started at 15:00Z on 9 March, before this window.
    const fixture = "all-day-single-multi-and-duration.ics";

    // Act
    const { occurrences } = expandFixture(fixture, "2026-03-10T00:00:00Z", "2026-03-13T00:00:00Z", "Asia/Tokyo");

    // Assess
    expect(occurrences.map((o) => o.uid)).toEqual(["multi"]);
  });

  it("print as days, their end exclusive, on the occurrences command's lines", () => {
    // Prepare
    const fixture = "all-day-single-multi-and-duration.ics";
    const { occurrences } = expandFixture(fixture, "2026-03-11T00:00:00Z", "2026-03-13T00:00:00Z", "America/New_York");

    // Act
    const lines = occurrences.map(occurrenceLine);

    // Assess
    expect(lines).toEqual([
      '{"uid":"multi","summary":"Three days","start":"2026-03-12","end":"2026-03-15","allDay":true,"recurrenceId":null}',
    ]);
  });
});

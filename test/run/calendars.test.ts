import { describe, expect, it } from "vitest";
import { RunCalendars } from "../../src/run/calendars.ts";
import { calendarOf, eventAt } from "../faults/support/ics.ts";

/** A calendar of `count` one-off events, a minute apart: read whole (no horizon), many slices of work. */
function manyEvents(count: number): string {
  return calendarOf(Array.from({ length: count }, (_, i) => eventAt(`e${i}@test`, `Event ${i}`, i * 60)));
}

describe("RunCalendars", () => {
  it("does one feed's calendar work at a time, in the order asked, so a run holds one feed's expansion in memory", async () => {
    // Prepare: a calendar that takes many slices, and one that takes one
    const calendars = new RunCalendars();
    const finished: string[] = [];

    // Act: both asked for at once, the long one first
    await Promise.all([
      calendars.parse("long", manyEvents(20_000), {}).then((c) => finished.push(`long ${c.series.length}`)),
      calendars.parse("short", manyEvents(1), {}).then((c) => finished.push(`short ${c.series.length}`)),
    ]);

    // Assess: the short one waited for the long one instead of slipping in between its slices
    expect(finished).toEqual(["long 20000", "short 1"]);
  });

  it("goes on with the next feed's work when one fails", async () => {
    // Prepare
    const calendars = new RunCalendars();

    // Act
    const broken = calendars.parse("broken", "<html>login</html>", {});
    const next = calendars.parse("next", manyEvents(1), {});

    // Assess
    await expect(broken).rejects.toThrow(/feed "broken" is an HTML/);
    await expect(next).resolves.toMatchObject({ eventCount: 1 });
  });

  it("gives the work still waiting the run's abort reason rather than starting it", async () => {
    // Prepare
    const controller = new AbortController();
    const calendars = new RunCalendars(undefined, controller.signal);

    // Act: aborted while the first, long work is under way
    const long = calendars.parse("long", manyEvents(20_000), {});
    const waiting = calendars.parse("waiting", manyEvents(1), {});
    controller.abort(new Error("run deadline"));

    // Assess
    await expect(long).rejects.toThrow("run deadline");
    await expect(waiting).rejects.toThrow("run deadline");
  });
});

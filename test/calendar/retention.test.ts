import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { occurrencesOf, type ParsedCalendar, parseCalendar } from "../../src/calendar/expand.ts";
import { fixedZoneBlock } from "../support/calendar.ts";

// A warm container keeps a thousand parsed calendars (for 304 Not Modified) and the engine's memos
// (rules, durations) for as long as it lives. A feed's bytes are read a stretch at a time as
// strings, and V8 keeps a slice of a long string as a view into the whole: one remembered RRULE or
// zone name sliced from a stretch would keep that whole stretch alive, the feed's text a second time
// beside its bytes, and the cache's byte bound would no longer bound memory.

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const FEEDS = 24;
/** Declared zones, long enough that a slice of one would be a view into its stretch (V8 copies short ones). */
const ZONES = ["America/Argentina/Buenos_Aires", "America/Indiana/Indianapolis", "Australia/Broken_Hill"];
const PAST_EVENTS = 2_500;

/** A feed of about 400 KB: a zone declared and defined, one live series of a rule of its own, and past one-offs. */
function feed(n: number): Buffer {
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//ical-slack-reminder//test//EN", `X-WR-TIMEZONE:${ZONES[n % ZONES.length]}`];
  lines.push(...fixedZoneBlock(`Team zone ${n}`));
  for (let i = 0; i < PAST_EVENTS; i++) {
    lines.push("BEGIN:VEVENT", `UID:past-${n}-${i}@example.com`, "DTSTART:20200101T090000Z", "DTEND:20200101T100000Z");
    lines.push(`SUMMARY:Past meeting ${i} of feed ${n}, with a title long enough to weigh`, "END:VEVENT");
  }
  // Its own rule (the COUNT differs), so each feed adds an entry of its own to the engine's memos.
  lines.push("BEGIN:VEVENT", `UID:weekly-${n}@example.com`, `DTSTART;TZID=Team zone ${n}:20260302T100000`);
  lines.push(`RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=${1000 + n}`, "SUMMARY:Weekly", "END:VEVENT", "END:VCALENDAR");
  return Buffer.from(`${lines.join("\r\n")}\r\n`, "utf8");
}

const HORIZON = { from: new Date("2026-03-09T00:00:00Z"), to: new Date("2026-03-19T00:00:00Z") };

describe("what a kept calendar holds", () => {
  it("keeps no copy of its feed's text on the heap: kept calendars and the engine's memos hold only what they read", () => {
    // Prepare: the feeds' bytes, made before the measure (they are what a cache is bounded by)
    const feeds = Array.from({ length: FEEDS }, (_, n) => feed(n));
    const textBytes = feeds.reduce((sum, bytes) => sum + bytes.length, 0);
    // Once before the measure, so what the first reading compiles and sets up is not counted
    occurrencesOf(parseCalendar(feed(FEEDS), { horizon: HORIZON }), { ...HORIZON, timezone: "UTC" });
    gc();
    const before = process.memoryUsage().heapUsed;

    // Act: read each for a run's horizon, expand a window, keep the calendars as the cache does
    const kept: ParsedCalendar[] = feeds.map((bytes) => parseCalendar(bytes, { horizon: HORIZON }));
    const found = kept.map((calendar) => occurrencesOf(calendar, { ...HORIZON, timezone: "UTC" }).occurrences.length);
    gc();
    const retained = process.memoryUsage().heapUsed - before;

    // Assess: every calendar read its series and zone
    expect(found).toEqual(feeds.map(() => 4));
    expect(kept.map((calendar) => calendar.timezone)).toEqual(feeds.map((_, n) => ZONES[n % ZONES.length]));
    // Assess: what they keep is tens of kilobytes each, not a 256 KB stretch of each feed's text
    expect(textBytes).toBeGreaterThan(FEEDS * 350_000);
    expect(retained).toBeLessThan(textBytes / 8);
  });
});

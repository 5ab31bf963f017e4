import { Temporal } from "temporal-polyfill";
import { ownCopy } from "../bounded-map.ts";

/** A wall-clock reading, as written in a calendar: no zone attached. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
}

/** Whether `wall` names a day of the calendar and a time of day (no 30 February, no 25:00). */
export function isRealWallClock(wall: WallClock): boolean {
  const { year, month, day, hour = 0, minute = 0, second = 0 } = wall;
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return (
    Number.isInteger(month) &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour >= 0 &&
    hour <= 23 &&
    minute >= 0 &&
    minute <= 59 &&
    second >= 0 &&
    second <= 59
  );
}

/**
 * The instant at which `wall` is read on clocks in `timeZone`. RFC 5545 §3.3.5: a time that falls
 * in a DST gap means the same duration after the gap's start (02:30 on a spring-forward day is
 * 03:30), and one that occurs twice means the first of the two; Temporal's "compatible"
 * disambiguation is exactly that rule.
 */
export function wallClockToInstant(wall: WallClock, timeZone: string): Date {
  const zoned = Temporal.ZonedDateTime.from(
    { ...wall, hour: wall.hour ?? 0, minute: wall.minute ?? 0, second: wall.second ?? 0, timeZone },
    { disambiguation: "compatible" },
  );
  return new Date(zoned.epochMilliseconds);
}

/**
 * The readings of wall-clock values, as UTC milliseconds, by the value: Temporal's values never
 * change, and the engine asks the same ones again and again (a series' start, its exceptions, the
 * window's edges). A lookup is the runtime's own code, fast from the first call; reading the fields
 * goes through the polyfill's getters, which in a fresh process run unoptimised.
 */
const readings = new WeakMap<Temporal.PlainDateTime, number>();

/** Notes the reading of a value made from it (exact to the millisecond), so it is never read from its fields. */
export function withReading(wall: Temporal.PlainDateTime, ms: number): Temporal.PlainDateTime {
  readings.set(wall, ms);
  return wall;
}

/** `wall` read as if it were UTC, in epoch milliseconds. */
export function readingOf(wall: Temporal.PlainDateTime): number {
  let ms = readings.get(wall);
  if (ms === undefined) {
    ms = readingAt(wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second, wall.millisecond);
    readings.set(wall, ms);
  }
  return ms;
}

/** The wall-clock value a reading (UTC milliseconds) names, its reading noted with it. */
export function wallAtReading(ms: number): Temporal.PlainDateTime {
  const d = new Date(ms);
  const wall = new Temporal.PlainDateTime(
    d.getUTCFullYear(),
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
  return withReading(wall, ms);
}

/** The reading of a wall-clock time given by its fields (`month` from 1), as UTC milliseconds. */
export function readingAt(year: number, month: number, day: number, hour: number, minute: number, second: number, ms = 0): number {
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: that reads years 0–99 as 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  return date.setUTCHours(hour, minute, second, ms);
}

/** Parses `YYYY-MM-DD` into a wall-clock date. */
export function parseDay(day: string): WallClock {
  const [year, month, date] = day.split("-").map(Number) as [number, number, number];
  return { year, month, day: date };
}

/** Adds whole calendar days to `YYYY-MM-DD`. */
export function addDays(day: string, days: number): string {
  return Temporal.PlainDate.from(day).add({ days }).toString();
}

const knownZones = new Map<string, boolean>();

/** True when `name` is an IANA time zone this runtime knows (`Asia/Tokyo`, `UTC`). Memoised: Intl is slow to ask. */
export function isTimeZone(name: string): boolean {
  let known = knownZones.get(name);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: name });
      known = true;
    } catch {
      known = false;
    }
    if (knownZones.size < 10_000) knownZones.set(ownCopy(name), known);
  }
  return known;
}

/** ISO 8601 in UTC to the second: `2026-03-12T14:50:00Z`. Every instance of a series is named so. */
export function formatInstant(instant: Date): string {
  const iso = instant.toISOString();
  // `YYYY-MM-DDTHH:mm:ss.sssZ`; years past 9999 or before 0 are written with six digits and a sign.
  return iso.length === 24 ? `${iso.slice(0, 19)}Z` : iso.replace(/\.\d{3}Z$/, "Z");
}

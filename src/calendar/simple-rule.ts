import { Temporal } from "temporal-polyfill";
import type { RulePlan } from "./rule.ts";
import type { Zone } from "./timezones.ts";
import { readingAt, readingOf, wallAtReading } from "./wall-clock.ts";
import { WEEKDAYS, type Weekday } from "./weekdays.ts";
import { type Gap, gapsBetween, zoneOffsets } from "./zone-offsets.ts";

// Most rules in real calendars are the plainest kind: every day, every weekday, every other
// Tuesday, until some date. Those are expanded here by arithmetic on day numbers, with no
// rrule-temporal rule built and no Temporal object made but for the instances found: the same set
// rrule-temporal gives (test/calendar/simple-rule.test.ts compares the two on seeded rules).

const DAY_MS = 86_400_000;

/** A DAILY or WEEKLY rule with no part but INTERVAL, WKST, plain BYDAY, BYMONTH, UNTIL and COUNT (which the caller applies). */
export interface SimpleRule {
  freq: "DAILY" | "WEEKLY";
  interval: number;
  weekStart: number;
  /** ISO weekdays (1 = Monday): the days of a weekly rule, a limit on a daily one. */
  weekdays: ReadonlySet<number> | undefined;
  months: ReadonlySet<number> | undefined;
  /** UNTIL as epoch ms (on the rule's own clock when it runs on wall readings), or undefined. */
  untilMs: number | undefined;
}

const SIMPLE_PARTS = new Set(["FREQ", "INTERVAL", "WKST", "BYDAY", "BYMONTH", "UNTIL"]);

/** The rule as a SimpleRule when it is one; `text` is the plan's rule with UNTIL as the zone needs it. */
export function simpleRuleOf(plan: RulePlan, text: string): SimpleRule | undefined {
  if ((plan.freq !== "DAILY" && plan.freq !== "WEEKLY") || plan.limits || plan.setPositions || plan.midnight) return undefined;
  let weekdays: Set<number> | undefined;
  let months: Set<number> | undefined;
  let untilMs: number | undefined;
  for (const part of text.split(";")) {
    const at = part.indexOf("=");
    const name = part.slice(0, at).toUpperCase();
    const value = part.slice(at + 1).toUpperCase();
    if (!SIMPLE_PARTS.has(name)) return undefined;
    if (name === "BYDAY") {
      weekdays = new Set();
      for (const code of value.split(",")) {
        const weekday = WEEKDAYS.indexOf(code as Weekday) + 1;
        if (weekday === 0) return undefined; // an ordinal, or anything else: rrule-temporal's
        weekdays.add(weekday);
      }
    } else if (name === "BYMONTH") {
      months = new Set(value.split(",").map(Number));
      if ([...months].some((m) => !Number.isInteger(m) || m < 1 || m > 12)) return undefined;
    } else if (name === "UNTIL") {
      const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
      if (!match) return undefined;
      const [y, mo, d, h, mi, s] = match.slice(1).map(Number) as [number, number, number, number, number, number];
      untilMs = readingAt(y, mo, d, h, mi, s);
    }
  }
  return { freq: plan.freq, interval: plan.interval, weekStart: plan.weekStart, weekdays, months, untilMs };
}

/** A wall reading as ms read as if UTC, its day (days since 1970-01-01) and its time of day in ms. */
function split(wall: Temporal.PlainDateTime): { ms: number; day: number; timeMs: number } {
  const ms = readingOf(wall);
  const day = Math.floor(ms / DAY_MS);
  return { ms, day, timeMs: ms - day * DAY_MS };
}

/** ISO weekday (1 = Monday) of a day number: 1970-01-01 was a Thursday. */
function weekdayOf(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** The first day of the week (starting on ISO weekday `weekStart`) that holds `day`. */
function weekOf(day: number, weekStart: number): number {
  return day - ((weekdayOf(day) - weekStart + 7) % 7);
}

/** Whether the rule has an instance on a day (a day number, on or after DTSTART's `startDay`). */
function dayMatcher(rule: SimpleRule, startDay: number): (day: number) => boolean {
  const startWeek = weekOf(startDay, rule.weekStart);
  const weekdays = rule.weekdays ?? (rule.freq === "WEEKLY" ? new Set([weekdayOf(startDay)]) : undefined);
  return (day) => {
    const weekday = weekdayOf(day);
    const step = rule.freq === "DAILY" ? day - startDay : (weekOf(day, rule.weekStart) - startWeek) / 7;
    if (step % rule.interval !== 0) return false;
    if (weekdays && !weekdays.has(weekday)) return false;
    if (!rule.months) return true;
    return rule.months.has(new Date(day * DAY_MS).getUTCMonth() + 1);
  };
}

/**
 * The rule's instances after DTSTART (`first`) whose wall reading lies in `[from, to]`, in order, up
 * to `limit` of them. `zoneId` is the zone the rule runs in ("UTC" for wall readings placed later):
 * in a named zone an instance whose local time a DST gap skips is left out (RFC 5545 §3.3.10), and
 * UNTIL is compared with the instant it means.
 */
export function simpleInstances(
  rule: SimpleRule,
  first: Temporal.PlainDateTime,
  from: Temporal.PlainDateTime,
  to: Temporal.PlainDateTime,
  zone: Zone | undefined,
  zoneId: string,
  limit: number,
): Temporal.PlainDateTime[] {
  const start = split(first);
  const lo = split(from);
  const hi = split(to);
  const onWalls = zoneId === "UTC" || !zone;
  const onDay = dayMatcher(rule, start.day);
  const out: Temporal.PlainDateTime[] = [];
  for (let day = Math.max(start.day, lo.day); day <= hi.day && out.length < limit; day++) {
    const wallMs = day * DAY_MS + start.timeMs;
    if (wallMs < lo.ms || wallMs > hi.ms || wallMs <= start.ms || !onDay(day)) continue;
    const wall = wallAtReading(wallMs);
    if (!onWalls) {
      const instant = zone.toInstant(wall);
      // A local time a DST gap skips does not exist: that instance is not there.
      if (Temporal.PlainDateTime.compare(zone.toWall(instant), wall) !== 0) continue;
      if (rule.untilMs !== undefined && instant > rule.untilMs) break;
    } else if (rule.untilMs !== undefined && wallMs > rule.untilMs) {
      break;
    }
    out.push(wall);
  }
  return out;
}

/** What COUNT makes of a plain rule by `to`: its last instance, or that it goes on past `to`. */
export type CountEnd = { last: Temporal.PlainDateTime } | { pastTo: true };

/**
 * COUNT of a plain rule without BYMONTH, by arithmetic: the instances repeat in cycles (INTERVAL
 * days, or weeks, and the week's days), so the COUNT-th is found without walking to it. DTSTART is
 * the first instance and counts (RFC 5545 §3.8.5.3). In a named zone an instance a DST gap skips
 * does not count: the zone's transitions up to the last instance are looked at and the count
 * carried on past each instance they skip. Undefined when the rule is not of that kind.
 */
export function simpleCountEnd(
  rule: SimpleRule,
  count: number,
  first: Temporal.PlainDateTime,
  zoneId: string,
  to: Temporal.PlainDateTime,
): CountEnd | undefined {
  if (rule.months) return undefined;
  const start = split(first);
  const endMs = split(to).ms;
  const onDay = dayMatcher(rule, start.day);
  let skipped = 0;
  for (let round = 0; round < 8; round++) {
    const day = nthDayAfter(rule, onDay, start.day, count - 1 + skipped);
    const lastMs = day * DAY_MS + start.timeMs;
    if (lastMs > endMs) return { pastTo: true };
    const gaps = zoneId === "UTC" ? 0 : skippedByGaps(zoneId, first, start.ms, lastMs, onDay);
    if (gaps === skipped) return { last: wallAtReading(lastMs) };
    skipped = gaps;
  }
  return undefined;
}

/** The day of the `n`-th instance after DTSTART's day (n = 0: DTSTART's own). */
function nthDayAfter(rule: SimpleRule, onDay: (day: number) => boolean, startDay: number, n: number): number {
  if (n <= 0) return startDay;
  const length = rule.freq === "WEEKLY" || rule.weekdays ? 7 * rule.interval : rule.interval;
  const origin = rule.freq === "WEEKLY" ? weekOf(startDay, rule.weekStart) : startDay;
  const inCycle: number[] = [];
  for (let offset = 0; offset < length; offset++) if (onDay(origin + offset)) inCycle.push(offset);
  const firstCycle = inCycle.map((offset) => origin + offset).filter((day) => day > startDay);
  if (n <= firstCycle.length) return firstCycle[n - 1] as number;
  // No instance after DTSTART at all: the series is DTSTART alone.
  if (inCycle.length === 0) return startDay;
  const rest = n - firstCycle.length - 1;
  const cycle = Math.floor(rest / inCycle.length) + 1;
  return origin + cycle * length + (inCycle[rest % inCycle.length] as number);
}

/** A zone's DST gaps as wall readings `[from, to)` that do not exist, found from one instant on. */
interface ZoneGaps {
  /** Transitions are known from this instant on… */
  fromMs: number;
  /** …to the last one found (null: the zone has no later one). */
  cursor: Temporal.ZonedDateTime | null;
  gaps: Gap[];
}

/** The largest zone offset (UTC+14), for how far past a wall reading the transitions are read. */
const MAX_OFFSET_MS = 14 * 3_600_000;
/** Gaps per zone: every series of every feed in a zone asks for the same transitions. */
const zoneGaps = new Map<string, ZoneGaps>();

/**
 * The gaps of `zoneId` from (at least) the instant of `first` (the wall reading `firstMs`) up to
 * transitions past the wall reading `lastMs`. An instant lies within a day of its wall reading (no
 * offset, even a historical one, reaches 24 hours), so gaps known from a day before `firstMs`
 * serve without converting `first` at all.
 */
function gapsOf(zoneId: string, first: Temporal.PlainDateTime, firstMs: number, lastMs: number): Gap[] {
  return sampledGaps(zoneId, firstMs - DAY_MS, lastMs + DAY_MS) ?? temporalGaps(zoneId, first, firstMs, lastMs);
}

/** Gaps found from Intl's offsets, per zone, with the instants they were looked for over. */
const sampled = new Map<string, { fromMs: number; toMs: number; gaps: Gap[] }>();

/**
 * The gaps of `zoneId` whose transitions lie in the instants `[fromMs, toMs)` (and those already
 * found around them), from the zone's Intl offsets: only the span a series covers is sampled,
 * where Temporal's next transition after an ended series' last instance may lie years on (or, in
 * a zone without DST, be searched for up to three years past today). Undefined where Intl cannot
 * say (see `gapsBetween`): Temporal finds them then.
 */
function sampledGaps(zoneId: string, fromMs: number, toMs: number): Gap[] | undefined {
  const offsetAt = zoneOffsets(zoneId);
  if (!offsetAt) return undefined;
  const known = sampled.get(zoneId);
  if (!known) {
    const gaps = gapsBetween(offsetAt, fromMs, toMs);
    if (gaps) sampled.set(zoneId, { fromMs, toMs, gaps });
    return gaps;
  }
  if (fromMs < known.fromMs) {
    const before = gapsBetween(offsetAt, fromMs, known.fromMs);
    if (!before) return undefined;
    known.gaps = [...before, ...known.gaps];
    known.fromMs = fromMs;
  }
  if (toMs > known.toMs) {
    const after = gapsBetween(offsetAt, known.toMs, toMs);
    if (!after) return undefined;
    known.gaps.push(...after);
    known.toMs = toMs;
  }
  return known.gaps;
}

/** `gapsOf` from Temporal's transitions. */
function temporalGaps(zoneId: string, first: Temporal.PlainDateTime, firstMs: number, lastMs: number): Gap[] {
  let known = zoneGaps.get(zoneId);
  if (!known || firstMs - DAY_MS < known.fromMs) {
    const start = first.toZonedDateTime(zoneId, { disambiguation: "earlier" });
    if (!known || start.epochMilliseconds < known.fromMs) {
      known = { fromMs: start.epochMilliseconds, cursor: start, gaps: [] };
      zoneGaps.set(zoneId, known);
    }
  }
  while (known.cursor && known.cursor.epochMilliseconds - MAX_OFFSET_MS <= lastMs) {
    const at: Temporal.ZonedDateTime | null = known.cursor.getTimeZoneTransition("next");
    known.cursor = at;
    if (!at) break;
    const after = at.offsetNanoseconds / 1e6;
    const before = at.subtract({ nanoseconds: 1 }).offsetNanoseconds / 1e6;
    if (after > before) known.gaps.push({ from: at.epochMilliseconds + before, to: at.epochMilliseconds + after });
  }
  return known.gaps;
}

/** How many instances after DTSTART (`first`, at `firstMs`), up to the wall reading `lastMs`, fall in a DST gap of the zone. */
function skippedByGaps(
  zoneId: string,
  first: Temporal.PlainDateTime,
  firstMs: number,
  lastMs: number,
  onDay: (day: number) => boolean,
): number {
  const timeMs = firstMs - Math.floor(firstMs / DAY_MS) * DAY_MS;
  let skipped = 0;
  for (const gap of gapsOf(zoneId, first, firstMs, lastMs)) {
    if (gap.to <= firstMs || gap.from > lastMs) continue;
    for (let day = Math.floor(gap.from / DAY_MS); day <= Math.floor(gap.to / DAY_MS); day++) {
      const wallMs = day * DAY_MS + timeMs;
      if (wallMs >= gap.from && wallMs < gap.to && wallMs > firstMs && wallMs <= lastMs && onDay(day)) skipped++;
    }
  }
  return skipped;
}

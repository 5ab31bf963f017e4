import { Temporal } from "temporal-polyfill";
import type { RulePlan } from "./rule.ts";
import type { Zone } from "./timezones.ts";

// Most rules in real calendars are the plainest kind: every day, every weekday, every other
// Tuesday, until some date. Those are expanded here by arithmetic on day numbers, with no
// rrule-temporal rule built and no Temporal object made but for the instances found: the same set
// rrule-temporal gives (test/calendar/simple-rule.test.ts compares the two on seeded rules).

const DAY_MS = 86_400_000;

/** A DAILY or WEEKLY rule with no part but INTERVAL, WKST, plain BYDAY, BYMONTH and UNTIL, and no COUNT. */
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

const WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const SIMPLE_PARTS = new Set(["FREQ", "INTERVAL", "WKST", "BYDAY", "BYMONTH", "UNTIL"]);

/** The rule as a SimpleRule when it is one; `text` is the plan's rule with UNTIL as the zone needs it. */
export function simpleRuleOf(plan: RulePlan, text: string): SimpleRule | undefined {
  if ((plan.freq !== "DAILY" && plan.freq !== "WEEKLY") || plan.count !== undefined || plan.limits || plan.setPositions || plan.midnight) return undefined;
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
        const weekday = WEEKDAY_CODES.indexOf(code) + 1;
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
      untilMs = Date.UTC(y, mo - 1, d, h, mi, s);
    }
  }
  return { freq: plan.freq, interval: plan.interval, weekStart: plan.weekStart, weekdays, months, untilMs };
}

/** Days since 1970-01-01 of a wall reading, and its time of day in ms. */
function split(wall: Temporal.PlainDateTime): { day: number; timeMs: number } {
  const ms = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second, wall.millisecond);
  const day = Math.floor(ms / DAY_MS);
  return { day, timeMs: ms - day * DAY_MS };
}

/** ISO weekday (1 = Monday) of a day number: 1970-01-01 was a Thursday. */
function weekdayOf(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
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
  const startWeek = start.day - ((weekdayOf(start.day) - rule.weekStart + 7) % 7);
  const weekdays = rule.weekdays ?? (rule.freq === "WEEKLY" ? new Set([weekdayOf(start.day)]) : undefined);
  const out: Temporal.PlainDateTime[] = [];
  for (let day = Math.max(start.day, lo.day); day <= hi.day && out.length < limit; day++) {
    const wallMs = day * DAY_MS + start.timeMs;
    if (wallMs < lo.day * DAY_MS + lo.timeMs || wallMs > hi.day * DAY_MS + hi.timeMs || wallMs <= start.day * DAY_MS + start.timeMs) continue;
    const weekday = weekdayOf(day);
    if (rule.freq === "DAILY" ? (day - start.day) % rule.interval !== 0 : ((day - ((weekday - rule.weekStart + 7) % 7) - startWeek) / 7) % rule.interval !== 0) continue;
    if (weekdays && !weekdays.has(weekday)) continue;
    const date = new Date(wallMs);
    if (rule.months && !rule.months.has(date.getUTCMonth() + 1)) continue;
    const wall = new Temporal.PlainDateTime(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), first.hour, first.minute, first.second, first.millisecond);
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

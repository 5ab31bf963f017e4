import { Temporal } from "temporal-polyfill";
import { WEEKDAYS, type Weekday } from "./weekdays.ts";

// A recurrence rule made whole before rrule-temporal expands it: every part RFC 5545 §3.3.10 takes
// from DTSTART is written out, so that the rule gives the same set from any period boundary aligned
// with DTSTART and INTERVAL, and the parts rrule-temporal gets wrong are done here instead.

export type Frequency = "YEARLY" | "MONTHLY" | "WEEKLY" | "DAILY" | "HOURLY" | "MINUTELY" | "SECONDLY";

/** A weekday of BYDAY (ISO, 1 = Monday) and its ordinal (0 for none). */
interface DayToken {
  weekday: number;
  ordinal: number;
}

/** Day parts a date must satisfy, each when given. */
interface DayLimits {
  days: DayToken[] | undefined;
  /** Ordinals count within the month (YEARLY with BYMONTH, MONTHLY), else within the year. */
  withinMonth: boolean;
  monthDays: number[] | undefined;
  yearDays: number[] | undefined;
}

function numbers(value: string): number[] {
  return value
    .split(",")
    .map((n) => Number.parseInt(n, 10))
    .filter((n) => Number.isFinite(n) && n !== 0);
}

function dayTokens(value: string): DayToken[] {
  const tokens: DayToken[] = [];
  for (const raw of value.split(",")) {
    const token = raw.trim().toUpperCase();
    const weekday = WEEKDAYS.indexOf(token.slice(-2) as Weekday) + 1;
    if (weekday > 0) tokens.push({ weekday, ordinal: Number.parseInt(token.slice(0, -2), 10) || 0 });
  }
  return tokens;
}

/** A rule ready for rrule-temporal, and what is left for the caller to do around it. */
export interface RulePlan {
  /** The rule rrule-temporal expands (without COUNT, which the caller counts itself). */
  text: string;
  freq: Frequency;
  interval: number;
  count: number | undefined;
  /** ISO weekday (1 = Monday) a week starts on. */
  weekStart: number;
  /**
   * Day parts applied to what rrule-temporal gives, as limits, where it gets them wrong: BYDAY
   * next to BYYEARDAY (which it ignores), BYMONTHDAY and BYYEARDAY next to BYWEEKNO (which it
   * ignores too), and an ordinal BYDAY (of which it lets a 53rd Friday run into the next year).
   */
  limits: DayLimits | undefined;
  /** BYSETPOS, applied per year after `limits`, where the parts it picks among are taken out. */
  setPositions: readonly number[] | undefined;
  /**
   * Periods start at midnight: the rule names its own times of day, so an instance can come
   * before DTSTART's time on a boundary day. Otherwise they start at DTSTART's time of day.
   */
  midnight: boolean;
  /**
   * Expansion starts one period before the one it needs: rrule-temporal walks BYWEEKNO by ISO
   * week-years, and the last week of the year before a boundary reaches into it.
   */
  periodBefore: boolean;
}

/** The parts of a rule, upper-cased names, in the order written. */
function partsOf(rule: string): Map<string, string> {
  const parts = new Map<string, string>();
  for (const part of rule.split(";")) {
    const at = part.indexOf("=");
    if (at <= 0) continue;
    parts.set(part.slice(0, at).trim().toUpperCase(), part.slice(at + 1).trim());
  }
  return parts;
}

/** The fields a plan reads of DTSTART's date (a PlainDate, or the PlainDateTime itself)… */
type StartDate = Pick<Temporal.PlainDate, "dayOfWeek" | "month" | "day">;
/** …and of its time of day, for a DATE-TIME. */
type StartTime = Pick<Temporal.PlainTime, "hour" | "minute" | "second">;

/**
 * Makes a rule whole for its DTSTART (`time` undefined for a DATE). RFC 5545 §3.3.10: what the
 * rule does not say is taken from DTSTART — the month and day of a yearly rule, the day of a
 * monthly one, the weekday of a weekly one (and of a yearly BYWEEKNO one, whose set then does not
 * depend on where expansion starts), a missing BYMONTH of a yearly BYMONTHDAY rule (a yearly
 * birthday stays yearly); BYHOUR, BYMINUTE and BYSECOND are ignored on a DATE. Parts the rule
 * names are left as written.
 */
export function planRule(rule: string, date: StartDate, time: StartTime | undefined): RulePlan {
  const parts = partsOf(rule);
  const freq = (parts.get("FREQ") ?? "").toUpperCase() as Frequency;
  const interval = Math.max(1, Number.parseInt(parts.get("INTERVAL") ?? "1", 10) || 1);
  const countText = parts.get("COUNT");
  const count = countText === undefined ? undefined : Math.max(0, Number.parseInt(countText, 10) || 0);
  parts.delete("COUNT");
  const weekStart = WEEKDAYS.indexOf((parts.get("WKST") ?? "MO").toUpperCase() as Weekday) + 1 || 1;
  const has = (name: string) => parts.has(name);
  const weekday = WEEKDAYS[date.dayOfWeek - 1] as string;

  if (!time) for (const name of ["BYHOUR", "BYMINUTE", "BYSECOND"]) parts.delete(name);
  const daily = freq === "YEARLY" || freq === "MONTHLY" || freq === "WEEKLY" || freq === "DAILY";
  const midnight = Boolean(time) && daily && (has("BYHOUR") || has("BYMINUTE") || has("BYSECOND"));
  if (midnight && time) {
    if (!has("BYHOUR")) parts.set("BYHOUR", String(time.hour));
    if (!has("BYMINUTE")) parts.set("BYMINUTE", String(time.minute));
    if (!has("BYSECOND")) parts.set("BYSECOND", String(time.second));
  }

  const dayParts = ["BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY"].filter(has);
  if (freq === "YEARLY") {
    if (dayParts.length === 0) {
      if (!has("BYMONTH")) parts.set("BYMONTH", String(date.month));
      parts.set("BYMONTHDAY", String(date.day));
    } else if (dayParts.length === 1 && dayParts[0] === "BYMONTHDAY" && !has("BYMONTH")) {
      parts.set("BYMONTH", String(date.month));
    } else if (has("BYWEEKNO") && !has("BYDAY") && !has("BYYEARDAY") && !has("BYMONTHDAY")) {
      parts.set("BYDAY", weekday);
    }
  } else if (freq === "MONTHLY") {
    if (!has("BYMONTHDAY") && !has("BYDAY") && !has("BYYEARDAY") && !has("BYWEEKNO")) parts.set("BYMONTHDAY", String(date.day));
  } else if (freq === "WEEKLY") {
    if (!has("BYDAY")) parts.set("BYDAY", weekday);
  }

  const { limits, setPositions } = takeOutDayLimits(freq, parts);

  const text = [...parts].map(([name, value]) => `${name}=${value}`).join(";");
  return { text, freq, interval, count, weekStart, limits, setPositions, midnight, periodBefore: freq === "YEARLY" && has("BYWEEKNO") };
}

/**
 * Day parts rrule-temporal gets wrong, taken out of `parts` to be applied as limits to what it
 * gives, and BYSETPOS with them (it must pick among what they leave).
 */
function takeOutDayLimits(
  freq: Frequency,
  parts: Map<string, string>,
): { limits: DayLimits | undefined; setPositions: number[] | undefined } {
  const has = (name: string) => parts.has(name);
  let limits: DayLimits | undefined;
  let setPositions: number[] | undefined;
  const takeOut = (name: string) => {
    const value = parts.get(name);
    parts.delete(name);
    return value;
  };
  if (
    freq === "YEARLY" &&
    ((has("BYWEEKNO") && (has("BYMONTHDAY") || has("BYYEARDAY"))) || (has("BYYEARDAY") && (has("BYMONTHDAY") || has("BYDAY"))))
  ) {
    // RFC 5545's table: BYDAY limits BYYEARDAY; each day part narrows what BYWEEKNO gives, and a
    // BYMONTHDAY what BYYEARDAY gives (a day must be both; rrule-temporal drops the BYMONTHDAY).
    const monthDays = takeOut("BYMONTHDAY");
    const yearDays = has("BYWEEKNO") ? takeOut("BYYEARDAY") : undefined;
    const days = has("BYYEARDAY") || yearDays !== undefined ? takeOut("BYDAY") : undefined;
    if (has("BYWEEKNO") && !has("BYDAY")) parts.set("BYDAY", WEEKDAYS.join(","));
    limits = {
      days: days === undefined ? undefined : dayTokens(days),
      withinMonth: has("BYMONTH"),
      monthDays: monthDays === undefined ? undefined : numbers(monthDays),
      yearDays: yearDays === undefined ? undefined : numbers(yearDays),
    };
    const positions = takeOut("BYSETPOS");
    if (positions !== undefined) setPositions = numbers(positions);
  } else if (
    freq === "YEARLY" &&
    !has("BYMONTH") &&
    !has("BYWEEKNO") &&
    !has("BYYEARDAY") &&
    /\d/.test(parts.get("BYDAY") ?? "") &&
    (has("BYMONTHDAY") || dayTokens(parts.get("BYDAY") as string).some((day) => day.ordinal === 0))
  ) {
    // A yearly ordinal BYDAY beside plain weekdays (`20MO,TU`) or a BYMONTHDAY that it limits
    // (`BYMONTHDAY=13;BYDAY=10FR`): rrule-temporal drops the other parts. Every day of the year is
    // expanded and each part applied as a limit (RFC 5545 §3.3.10: ordinals within the year).
    const days = takeOut("BYDAY");
    const monthDays = takeOut("BYMONTHDAY");
    parts.set("BYYEARDAY", Array.from({ length: 366 }, (_, i) => i + 1).join(","));
    limits = {
      days: days === undefined ? undefined : dayTokens(days),
      withinMonth: false,
      monthDays: monthDays === undefined ? undefined : numbers(monthDays),
      yearDays: undefined,
    };
    const positions = takeOut("BYSETPOS");
    if (positions !== undefined) setPositions = numbers(positions);
  } else if ((freq === "YEARLY" || freq === "MONTHLY") && !has("BYWEEKNO") && /\d/.test(parts.get("BYDAY") ?? "")) {
    // An ordinal BYDAY stays with rrule-temporal; what it gives is checked against it.
    limits = {
      days: dayTokens(parts.get("BYDAY") as string),
      withinMonth: freq === "MONTHLY" || has("BYMONTH"),
      monthDays: undefined,
      yearDays: undefined,
    };
  }

  return { limits, setPositions };
}

/** Whether rrule-temporal walks this rule in exact time (hours, minutes, seconds) rather than by the calendar. */
export function isSubDaily(plan: RulePlan): boolean {
  return plan.freq === "HOURLY" || plan.freq === "MINUTELY" || plan.freq === "SECONDLY";
}

const UNIT_MS: Partial<Record<Frequency, number>> = { HOURLY: 3_600_000, MINUTELY: 60_000, SECONDLY: 1_000 };

/**
 * The number of INTERVAL steps from DTSTART's period to the last period boundary at or before
 * `from` (never negative), less one where the plan asks for a period before.
 */
export function stepsBefore(plan: RulePlan, start: Temporal.ZonedDateTime, from: Temporal.ZonedDateTime): number {
  let units: number;
  const a = start.toPlainDate();
  const b = from.toPlainDate();
  switch (plan.freq) {
    case "YEARLY":
      units = b.year - a.year;
      break;
    case "MONTHLY":
      units = (b.year - a.year) * 12 + (b.month - a.month);
      break;
    case "WEEKLY":
      units = Math.floor(weekStartOf(a, plan.weekStart).until(weekStartOf(b, plan.weekStart)).days / 7);
      break;
    case "DAILY":
      units = a.until(b).days;
      break;
    default:
      units = Math.floor((from.epochMilliseconds - start.epochMilliseconds) / (UNIT_MS[plan.freq] as number));
  }
  const steps = Math.floor(units / plan.interval) - (plan.periodBefore ? 1 : 0);
  return Math.max(0, steps);
}

function weekStartOf(date: Temporal.PlainDate, weekStart: number): Temporal.PlainDate {
  return date.subtract({ days: (date.dayOfWeek - weekStart + 7) % 7 });
}

/**
 * The start of the period `steps` INTERVALs after DTSTART's: a boundary from which the plan's rule
 * gives the same instances as from DTSTART. Calendar periods start on their first day (the week's
 * on WKST) at midnight or at DTSTART's time of day; sub-daily ones are whole steps of exact time
 * from DTSTART. `exists` is false when a DST gap skips the boundary's wall time. The day and time
 * are those DTSTART is written with (`first`): a DTSTART a DST gap skips is placed an hour later,
 * but the rule keeps the time of day written (RFC 5545 §3.3.5, §3.3.10).
 */
export function periodStart(
  plan: RulePlan,
  start: Temporal.ZonedDateTime,
  first: Temporal.PlainDateTime,
  steps: number,
): { at: Temporal.ZonedDateTime; exists: boolean } {
  const units = steps * plan.interval;
  const unit = UNIT_MS[plan.freq];
  if (unit !== undefined) return { at: start.add({ milliseconds: units * unit }), exists: true };
  const date = first.toPlainDate();
  let firstDay: Temporal.PlainDate;
  switch (plan.freq) {
    case "YEARLY":
      firstDay = new Temporal.PlainDate(date.year + units, 1, 1);
      break;
    case "MONTHLY":
      firstDay = new Temporal.PlainDate(date.year, date.month, 1).add({ months: units });
      break;
    case "WEEKLY":
      firstDay = weekStartOf(date, plan.weekStart).add({ days: 7 * units });
      break;
    default:
      firstDay = date.add({ days: units });
  }
  const wall = firstDay.toPlainDateTime(plan.midnight ? undefined : first.toPlainTime());
  const at = wall.toZonedDateTime(start.timeZoneId, { disambiguation: "earlier" });
  return { at, exists: Temporal.PlainDateTime.compare(at.toPlainDateTime(), wall) === 0 };
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Whether a day satisfies the plan's limits. */
function withinLimits(limits: DayLimits, date: Temporal.PlainDateTime): boolean {
  const { days, monthDays, yearDays } = limits;
  if (monthDays && !monthDays.some((n) => (n > 0 ? n : date.daysInMonth + 1 + n) === date.day)) return false;
  if (yearDays && !yearDays.some((n) => (n > 0 ? n : date.daysInYear + 1 + n) === date.dayOfYear)) return false;
  if (days) {
    const at = limits.withinMonth ? date.day : date.dayOfYear;
    const length = limits.withinMonth ? date.daysInMonth : isLeap(date.year) ? 366 : 365;
    const fromStart = Math.floor((at - 1) / 7) + 1;
    const fromEnd = -(Math.floor((length - at) / 7) + 1);
    if (!days.some((d) => d.weekday === date.dayOfWeek && (d.ordinal === 0 || d.ordinal === fromStart || d.ordinal === fromEnd)))
      return false;
  }
  return true;
}

/**
 * Applies what the plan leaves to the caller to a run of instances of whole periods (ascending):
 * the day limits, then BYSETPOS within each year.
 */
export function limitInstances(plan: RulePlan, walls: Temporal.PlainDateTime[]): Temporal.PlainDateTime[] {
  const { limits, setPositions } = plan;
  if (!limits) return walls;
  const kept = walls.filter((wall) => withinLimits(limits, wall));
  if (!setPositions) return kept;
  const out: Temporal.PlainDateTime[] = [];
  let at = 0;
  while (at < kept.length) {
    const year = (kept[at] as Temporal.PlainDateTime).year;
    let end = at;
    while (end < kept.length && (kept[end] as Temporal.PlainDateTime).year === year) end++;
    const period = kept.slice(at, end);
    const picked = new Set<number>();
    for (const position of setPositions) {
      const index = position > 0 ? position - 1 : period.length + position;
      if (index >= 0 && index < period.length) picked.add(index);
    }
    for (const index of [...picked].sort((x, y) => x - y)) out.push(period[index] as Temporal.PlainDateTime);
    at = end;
  }
  return out;
}

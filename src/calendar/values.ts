import { Temporal } from "temporal-polyfill";
import { BoundedMap } from "../bounded-map.ts";
import { IcalSlackReminderError } from "../errors.ts";
import type { ContentLine } from "./components.ts";
import { readingAt, readingOf, withReading } from "./wall-clock.ts";

/**
 * A DATE or DATE-TIME value as the calendar wrote it (RFC 5545 §3.3.4, §3.3.5). Wall-clock fields
 * are kept as written, never placed in the process's zone, so the same text gives the same
 * occurrences on any machine.
 */
export type TimeValue =
  | { kind: "date"; date: Temporal.PlainDate }
  | ({ kind: "utc" } & Timed)
  | ({ kind: "floating" } & Timed)
  | ({ kind: "zoned"; tzid: string } & Timed);

/** A DATE-TIME's wall-clock reading, as a number and as a Temporal value. */
interface Timed {
  /** The reading as if it were UTC, in epoch milliseconds (`readingOf` of `wall`): what most uses need. */
  readonly reading: number;
  /**
   * The reading as a Temporal value, made when first asked for: most values of a feed (its EXDATEs,
   * ends, RECURRENCE-IDs) are only compared, or placed in a zone, by `reading`, and the polyfill's
   * constructor runs unoptimised in a fresh process.
   */
  readonly wall: Temporal.PlainDateTime;
}

/**
 * A timed value at a wall reading given by its fields, its Temporal value made on first use. A
 * class, so its getter lies on the prototype: an object literal with a getter is a dictionary in
 * V8, slower to read and several times larger, and a feed's kept events hold thousands of these.
 */
class TimedValue {
  readonly kind: "utc" | "floating" | "zoned";
  readonly reading: number;
  readonly tzid: string | undefined;
  readonly #fields: [number, number, number, number, number, number];
  #wall: Temporal.PlainDateTime | undefined;

  constructor(kind: "utc" | "floating" | "zoned", fields: [number, number, number, number, number, number], tzid: string | undefined) {
    this.kind = kind;
    this.reading = readingAt(...fields);
    this.tzid = tzid;
    this.#fields = fields;
  }

  get wall(): Temporal.PlainDateTime {
    this.#wall ??= withReading(new Temporal.PlainDateTime(...this.#fields), this.reading);
    return this.#wall;
  }
}

/** A timed value of `kind` at a wall reading given by its fields (see `TimedValue`). */
function timed(kind: "utc" | "floating", fields: [number, number, number, number, number, number]): TimeValue;
function timed(kind: "zoned", fields: [number, number, number, number, number, number], tzid: string): TimeValue;
function timed(kind: "utc" | "floating" | "zoned", fields: [number, number, number, number, number, number], tzid?: string): TimeValue {
  return new TimedValue(kind, fields, tzid) as TimeValue;
}

/** A floating value at `wall` (a series' time of day on an RDATE's date). */
export function floatingAt(wall: Temporal.PlainDateTime): TimeValue {
  return { kind: "floating", reading: readingOf(wall), wall };
}

/** An RDATE: a start, and for a PERIOD its own end. */
export interface RecurrenceDate {
  start: TimeValue;
  end: TimeValue | undefined;
  duration: Temporal.Duration | undefined;
}

/** A value that is not a valid date or date-time; the caller skips the component. */
export class BadValueError extends IcalSlackReminderError {
  static override readonly errorName = "BadValueError";
}

const DATE = /^(\d{4})(\d{2})(\d{2})$/;
const DATE_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?(Z)?$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Year, month and day of a calendar date written as digits, checked. */
function dateFields(yearText: string, monthText: string, dayText: string, raw: string): [number, number, number] {
  const [year, month, day] = [Number(yearText), Number(monthText), Number(dayText)];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  // Checked here rather than by Temporal's `from` with overflow "reject": the constructor is
  // several times faster, and this runs for every date of every event read.
  if (days === undefined || day < 1 || day > days) throw new BadValueError(`"${raw}" is not a calendar date`);
  return [year, month, day];
}

function plainDate(yearText: string, monthText: string, dayText: string, raw: string): Temporal.PlainDate {
  return new Temporal.PlainDate(...dateFields(yearText, monthText, dayText, raw));
}

/**
 * Reads one DATE or DATE-TIME. `tzid` is the property's TZID parameter; a DATE ignores it.
 *
 * @throws BadValueError when the text is not a valid date or date-time.
 */
export function parseTime(raw: string, tzid: string | undefined): TimeValue {
  const text = raw.trim();
  const date = DATE.exec(text);
  if (date) return { kind: "date", date: plainDate(date[1]!, date[2]!, date[3]!, text) };
  const dateTime = DATE_TIME.exec(text);
  if (!dateTime) throw new BadValueError(`"${raw}" is not a date or date-time`);
  // A time of day wins over a VALUE=DATE parameter that contradicts it: the writer had a time.
  const [year, month, day] = dateFields(dateTime[1]!, dateTime[2]!, dateTime[3]!, text);
  const hour = Number(dateTime[4]);
  const minute = Number(dateTime[5]);
  // RFC 5545 allows a leap second (60); no zone database has one, so read it as 59.
  const second = Math.min(59, Number(dateTime[6] ?? "0"));
  if (hour > 23 || minute > 59) throw new BadValueError(`"${raw}" is not a time of day`);
  const fields: [number, number, number, number, number, number] = [year, month, day, hour, minute, second];
  if (dateTime[7]) return timed("utc", fields);
  const zone = tzid?.trim();
  return zone ? timed("zoned", fields, zone) : timed("floating", fields);
}

/** Reads a date-valued property (DTSTART, DTEND, RECURRENCE-ID). */
export function parseTimeProperty(line: ContentLine): TimeValue {
  return parseTime(line.value, line.params.TZID);
}

/** Reads a list-valued property (EXDATE, and RDATE without periods): several values, commas. */
export function parseTimeList(line: ContentLine): TimeValue[] {
  return line.value
    .split(",")
    .filter((v) => v.trim() !== "")
    .map((v) => parseTime(v, line.params.TZID));
}

/**
 * Reads a DURATION (RFC 5545 §3.3.6): weeks and days are nominal (a day across a DST change is
 * still a calendar day), hours, minutes and seconds exact. Tolerates the `PT1W` some servers write.
 *
 * @throws BadValueError when the text is not a duration.
 */
export function parseDuration(raw: string): Temporal.Duration {
  return durations.remember(raw, readDuration, raw);
}

/** Durations read, by their text: a feed's events last PT30M or PT1H again and again (Temporal values do not change). */
const durations = new BoundedMap<string, Temporal.Duration>(1024);

function readDuration(raw: string): Temporal.Duration {
  const text = raw.trim().toUpperCase();
  const head = /^([+-])?P/.exec(text);
  if (!head) throw new BadValueError(`"${raw}" is not a duration`);
  const parts = { weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };
  const units = { W: "weeks", D: "days", H: "hours", M: "minutes", S: "seconds" } as const;
  let rest = text.slice(head[0].length);
  let time = false;
  let any = false;
  while (rest.length > 0) {
    if (rest[0] === "T") {
      time = true;
      rest = rest.slice(1);
      continue;
    }
    const token = /^(\d{1,9})([WDHMS])/.exec(rest);
    // "M" before "T" would be months, which a DURATION cannot hold.
    if (!token || (!time && "HMS".includes(token[2] as string))) {
      throw new BadValueError(`"${raw}" is not a duration`);
    }
    parts[units[token[2] as keyof typeof units]] += Number(token[1]);
    any = true;
    rest = rest.slice(token[0].length);
  }
  if (!any) throw new BadValueError(`"${raw}" is not a duration`);
  const sign = head[1] === "-" ? -1 : 1;
  return Temporal.Duration.from({
    weeks: sign * parts.weeks,
    days: sign * parts.days,
    hours: sign * parts.hours,
    minutes: sign * parts.minutes,
    seconds: sign * parts.seconds,
  });
}

/** Reads an RDATE property: DATE, DATE-TIME or PERIOD values (RFC 5545 §3.8.5.2). */
export function parseRecurrenceDates(line: ContentLine): RecurrenceDate[] {
  const dates: RecurrenceDate[] = [];
  for (const item of line.value.split(",")) {
    if (item.trim() === "") continue;
    const [startText, endText] = item.split("/");
    const start = parseTime(startText ?? "", line.params.TZID);
    if (endText === undefined) {
      dates.push({ start, end: undefined, duration: undefined });
    } else if (/^[+-]?P/i.test(endText.trim())) {
      dates.push({ start, end: undefined, duration: parseDuration(endText) });
    } else {
      dates.push({ start, end: parseTime(endText, line.params.TZID), duration: undefined });
    }
  }
  return dates;
}

/** The wall-clock reading of a timed value; a DATE reads as its midnight. */
export function wallOf(value: TimeValue): Temporal.PlainDateTime {
  return value.kind === "date" ? value.date.toPlainDateTime() : value.wall;
}

import { RRuleTemporal } from "rrule-temporal";
import { Temporal } from "temporal-polyfill";
import { BoundedMap, ownCopy } from "../bounded-map.ts";
import { cutText } from "../cut.ts";
import { type Component, properties, property } from "./components.ts";
import { parseDuration, parseRecurrenceDates, parseTimeList, parseTimeProperty, type RecurrenceDate, type TimeValue } from "./values.ts";
import { BYDAY_ITEM, PLAIN_WEEKDAYS, WEEKDAY } from "./weekdays.ts";
import { finish, type Steps } from "./work.ts";

/** The text of an event, unescaped (`textOf`). */
export interface EventText {
  summary: string;
  description: string | undefined;
  location: string | undefined;
  url: string | undefined;
  /** Google's X-GOOGLE-CONFERENCE (the Meet link). */
  conference: string | undefined;
}

/** One VEVENT, its date-valued properties read exactly as written. */
export interface EventRecord {
  uid: string;
  start: TimeValue;
  end: TimeValue | undefined;
  duration: Temporal.Duration | undefined;
  /** The RRULE value, checked to be one rrule-temporal can expand. */
  rrule: string | undefined;
  rdates: RecurrenceDate[];
  exdates: TimeValue[];
  recurrenceId: TimeValue | undefined;
  /** RECURRENCE-ID;RANGE=THISANDFUTURE: the override applies to this and every later instance. */
  thisAndFuture: boolean;
  sequence: number;
  /** Upper case. */
  status: string | undefined;
  text: EventText;
}

/** A recurring event and its overrides, or a single event: everything sharing one UID. */
export interface Series {
  uid: string;
  master: EventRecord | undefined;
  /** Overrides (RECURRENCE-ID), one per recurrence: the highest SEQUENCE wins. */
  overrides: EventRecord[];
}

function sequenceOf(component: Component): number {
  const value = Number.parseInt(property(component, "SEQUENCE")?.value ?? "0", 10);
  return Number.isFinite(value) ? value : 0;
}

/**
 * Rules already checked, and what was wrong with them: feeds repeat the same few rules
 * (`FREQ=WEEKLY;BYDAY=MO`) across thousands of events, and building rrule-temporal's parser for
 * each is slow. Bounded, so a hostile feed of distinct rules costs no memory.
 */
const MAX_CHECKED_RULES = 10_000;
const checkedRules = new BoundedMap<string, Error | undefined>(MAX_CHECKED_RULES);

/** Checks an RRULE the way the expansion will use it, so a broken one skips only its event. */
function checkRule(value: string): string {
  const rule = ruleText(value);
  const problem = checkedRules.remember(rule, ruleProblem, value);
  if (problem) throw problem;
  return rule;
}

/** An RRULE value as the expansion reads it: trimmed, without a leading `RRULE:`. */
function ruleText(value: string): string {
  return value.trim().replace(/^RRULE:/i, "");
}

/** What is wrong with an RRULE value (`checkRule`), if anything. */
function ruleProblem(value: string): Error | undefined {
  try {
    parseRule(ruleText(value), value);
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

function parseRule(rule: string, value: string): void {
  if (!/(^|;)FREQ=/i.test(rule)) throw new Error(`RRULE "${value}" has no FREQ`);
  const parts = rule.split(";");
  const scaled = parts.some((part) => /^\s*RSCALE\s*=/i.test(part));
  for (const part of parts) {
    const at = part.indexOf("=");
    const name = (at < 0 ? part : part.slice(0, at)).trim().toUpperCase();
    if (name === "") continue;
    const values = PART_VALUES[name];
    if (!values) throw new Error(`RRULE "${value}" has an unknown part ${name}`);
    const written = at < 0 ? "" : part.slice(at + 1).trim();
    if (!values.valid(written, scaled)) {
      // The part is quoted cut short: a rule may be megabytes long.
      throw new Error(`RRULE part ${cutText(`${name}=${written}`, 60, true)} is not valid: ${name} takes ${values.expected}`);
    }
  }
  if (isPlainRule(rule)) return;
  // Constructing parses every part; expansion rebuilds it with the zone's own DTSTART.
  new RRuleTemporal({ rruleString: `RRULE:${rule.replace(/UNTIL=[^;]*/i, "COUNT=1")}`, dtstart: CHECK_START });
}

/** How each part of a plain rule is written, when it is written well. */
const PLAIN_PARTS: Record<string, RegExp> = {
  FREQ: /^(YEARLY|MONTHLY|WEEKLY|DAILY)$/,
  INTERVAL: /^0*[1-9]\d{0,5}$/,
  COUNT: /^\d{1,10}$/,
  UNTIL: /^\d{8}(T\d{6}Z?)?$/,
  WKST: WEEKDAY,
  BYDAY: PLAIN_WEEKDAYS,
  BYMONTH: /^(0?[1-9]|1[0-2])(,(0?[1-9]|1[0-2]))*$/,
};

/**
 * True for a rule of the parts most calendars use, each well written: nothing rrule-temporal could
 * refuse, so its parser need not be built to check it.
 */
function isPlainRule(rule: string): boolean {
  for (const part of rule.split(";")) {
    const at = part.indexOf("=");
    const pattern = PLAIN_PARTS[part.slice(0, at).trim().toUpperCase()];
    if (
      !pattern?.test(
        part
          .slice(at + 1)
          .trim()
          .toUpperCase(),
      )
    )
      return false;
  }
  return true;
}

/** A rule part's value as RFC 5545 §3.3.10 (and RFC 7529, with `scaled` for a rule with RSCALE) writes it. */
interface PartValues {
  valid(value: string, scaled: boolean): boolean;
  /** What the part takes, for the message when its value is not that. */
  expected: string;
}

/**
 * Each item of a comma-separated value passes `valid`. Empty items (`MO,TU,`, a slip some writers
 * make) are passed over, as the expansion passes over them; an empty value is no list.
 */
function everyItem(value: string, valid: (item: string) => boolean): boolean {
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  return items.length > 0 && items.every(valid);
}

/** A list of whole numbers from `min` to `max` (and, when `signed`, from `-max` to `-min`). */
function numberList(min: number, max: number, signed: boolean, expected: string): PartValues {
  const written = signed ? /^[+-]?\d{1,3}$/ : /^\+?\d{1,3}$/;
  return {
    valid: (value) =>
      everyItem(value, (item) => {
        if (!written.test(item)) return false;
        const n = Math.abs(Number(item));
        return n >= min && n <= max;
      }),
    expected,
  };
}

/** RFC 5545 §3.3.10 rule parts, and RFC 7529's RSCALE and SKIP, by what their values may be. */
const PART_VALUES: Record<string, PartValues> = {
  FREQ: {
    valid: (v) => /^(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)$/i.test(v),
    expected: "SECONDLY, MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY",
  },
  UNTIL: { valid: (v) => /^\d{8}(T\d{6}Z?)?$/i.test(v), expected: "a date (20260131) or a date-time (20260131T090000Z)" },
  // A negative COUNT is no COUNT at all to some writers (and to other readers): read as before.
  COUNT: { valid: (v) => /^[+-]?\d{1,10}$/.test(v), expected: "a whole number" },
  INTERVAL: { valid: (v) => /^\d{1,10}$/.test(v) && Number(v) >= 1, expected: "a whole number of at least 1" },
  BYSECOND: numberList(0, 60, false, "seconds from 0 to 60"),
  BYMINUTE: numberList(0, 59, false, "minutes from 0 to 59"),
  BYHOUR: numberList(0, 23, false, "hours from 0 to 23"),
  BYDAY: {
    valid: (v) => everyItem(v, (item) => BYDAY_ITEM.test(item)),
    expected: "weekdays (MO to SU), each with an ordinal from 1 to 53 or -53 to -1 where it has one (1MO, -1FR)",
  },
  BYMONTHDAY: numberList(1, 31, true, "days of the month from 1 to 31 or -31 to -1"),
  BYYEARDAY: numberList(1, 366, true, "days of the year from 1 to 366 or -366 to -1"),
  BYWEEKNO: numberList(1, 53, true, "weeks from 1 to 53 or -53 to -1"),
  BYMONTH: {
    // RFC 7529: with RSCALE, a leap month is written with an L (5L), and a calendar may have 13.
    valid: (v, scaled) =>
      everyItem(v, (item) => {
        const month = (scaled ? /^(\d{1,2})L?$/i : /^(\d{1,2})$/).exec(item);
        return month !== null && Number(month[1]) >= 1 && Number(month[1]) <= (scaled ? 13 : 12);
      }),
    expected: "months from 1 to 12",
  },
  BYSETPOS: numberList(1, 366, true, "positions from 1 to 366 or -366 to -1"),
  WKST: { valid: (v) => WEEKDAY.test(v), expected: "a weekday (MO to SU)" },
  RSCALE: { valid: (v) => /^[A-Z0-9-]+$/i.test(v), expected: "the name of a calendar scale (GREGORIAN)" },
  SKIP: { valid: (v) => /^(OMIT|BACKWARD|FORWARD)$/i.test(v), expected: "OMIT, BACKWARD or FORWARD" },
};

const CHECK_START = Temporal.ZonedDateTime.from("2000-01-01T00:00:00+00:00[UTC]");

/** Reads a VEVENT's date-valued properties and its text; throws (any error) when one is unusable. */
function readRecord(component: Component): EventRecord {
  const uid = property(component, "UID")?.value.trim() ?? "";
  const dtstart = property(component, "DTSTART");
  if (!dtstart) throw new Error("it has no DTSTART");
  const start = parseTimeProperty(dtstart);
  const dtend = property(component, "DTEND");
  const durationLine = property(component, "DURATION");
  const rruleLine = property(component, "RRULE");
  const recurrenceLine = property(component, "RECURRENCE-ID");
  return {
    uid,
    start,
    end: dtend ? parseTimeProperty(dtend) : undefined,
    duration: !dtend && durationLine ? parseDuration(durationLine.value) : undefined,
    // An empty RRULE (some holiday feeds write one) is no rule at all.
    rrule: rruleLine && rruleLine.value.trim() !== "" ? checkRule(rruleLine.value) : undefined,
    rdates: properties(component, "RDATE").flatMap((line) => parseRecurrenceDates(line)),
    exdates: properties(component, "EXDATE").flatMap((line) => parseTimeList(line)),
    recurrenceId: recurrenceLine ? parseTimeProperty(recurrenceLine) : undefined,
    thisAndFuture: recurrenceLine?.params.RANGE?.toUpperCase() === "THISANDFUTURE",
    sequence: sequenceOf(component),
    status: property(component, "STATUS")?.value.trim().toUpperCase() || undefined,
    text: readText(component),
  };
}

const TEXT_PROPERTIES = new Set(["SUMMARY", "DESCRIPTION", "LOCATION", "URL", "X-GOOGLE-CONFERENCE"]);

/**
 * Every property an event's record is read from (`readRecord`, its text): of a kept event, only
 * these lines are split into properties. A Google or Outlook event's attendees, organizer, alarms
 * and stamps, most of its lines, are never read.
 */
export const RECORD_PROPERTIES: readonly string[] = [
  "UID",
  "DTSTART",
  "DTEND",
  "DURATION",
  "RRULE",
  "RDATE",
  "EXDATE",
  "RECURRENCE-ID",
  "SEQUENCE",
  "STATUS",
  ...TEXT_PROPERTIES,
];

/**
 * A TEXT value as it reads (RFC 5545 §3.3.11): `\n` or `\N` a line break, `\,` `\;` and `\\`
 * the character itself, in one pass, so an escaped backslash before an `n` stays a backslash and an
 * `n`. Quotes around the whole value are dropped, as node-ical (which read event text before) and
 * the calendars written for it expect.
 */
export function textOf(value: string): string {
  const text = value.includes("\\") ? value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === "n" || c === "N" ? "\n" : c)) : value;
  return text.replace(/^"(.*)"$/, "$1");
}

/** The text properties of an event: the first of each name, unescaped. */
function readText(event: Component): EventText {
  const value = (name: string) => {
    const line = property(event, name);
    return line && textOf(line.value);
  };
  return {
    summary: value("SUMMARY") ?? "",
    description: value("DESCRIPTION"),
    location: value("LOCATION"),
    url: value("URL"),
    conference: value("X-GOOGLE-CONFERENCE"),
  };
}

/** Events read into records between two steps. */
const RECORDS_PER_STEP = 200;

type Versions = Map<string, { masters: EventRecord[]; overrides: EventRecord[] }>;

/** Series of a calendar, one line per event that was skipped, saying why (by UID), and the UIDs of those. */
export function readSeries(events: Component[]): { series: Series[]; warnings: string[]; skipped: string[] } {
  return finish(seriesSteps(events));
}

/** `readSeries` in steps of RECORDS_PER_STEP events. */
export function* seriesSteps(events: Component[]): Steps<{ series: Series[]; warnings: string[]; skipped: string[] }> {
  const warnings: string[] = [];
  const skipped: string[] = [];
  const byUid: Versions = new Map();
  let anonymous = 0;
  for (let at = 0; at < events.length; at += RECORDS_PER_STEP) {
    const batch = events.slice(at, at + RECORDS_PER_STEP);
    for (const event of batch) {
      let record: EventRecord;
      try {
        record = readRecord(event);
      } catch (error) {
        const uid = property(event, "UID")?.value.trim();
        warnings.push(`skipped event ${uid || "(no UID)"}: ${(error as Error).message}`);
        if (uid) skipped.push(ownCopy(uid));
        continue;
      }
      // Events without a UID are independent of one another.
      const key = record.uid || `\u0000${anonymous++}`;
      let group = byUid.get(key);
      if (!group) {
        group = { masters: [], overrides: [] };
        byUid.set(key, group);
      }
      (record.recurrenceId ? group.overrides : group.masters).push(record);
    }
    if (at + RECORDS_PER_STEP < events.length) yield;
  }
  return { series: currentVersions(byUid), warnings, skipped };
}

/** Each event's current version with its current overrides. */
function currentVersions(byUid: Versions): Series[] {
  const series: Series[] = [];
  for (const [key, group] of byUid) {
    const uid = key.startsWith("\u0000") ? "" : key;
    // RFC 5545 §3.8.7.4: of several versions of one event, the highest SEQUENCE is the current one.
    // Versions with the same SEQUENCE and the same start are one event written twice (the later
    // wins); with different starts they are different events a generator gave one UID: keep each.
    const top = Math.max(...group.masters.map((m) => m.sequence));
    const current = new Map<string, EventRecord>();
    for (const m of group.masters) if (m.sequence === top) current.set(recurrenceKey(m.start), m);
    const masters = [...current.values()];
    const master = masters.find((m) => m.rrule) ?? masters[masters.length - 1];
    const overrides = new Map<string, EventRecord>();
    for (const o of group.overrides) {
      const id = recurrenceKey(o.recurrenceId as TimeValue);
      const existing = overrides.get(id);
      if (!existing || o.sequence >= existing.sequence) overrides.set(id, o);
    }
    series.push({ uid, master, overrides: [...overrides.values()] });
    for (const other of masters) if (other !== master) series.push({ uid, master: other, overrides: [] });
  }
  return series;
}

/** The same key for the same written start: its reading as a number (no ISO text: Temporal's is slow to make) and its kind or zone. */
function recurrenceKey(value: TimeValue): string {
  switch (value.kind) {
    case "date":
      return `${value.date.year}-${value.date.month}-${value.date.day}@date`;
    case "zoned":
      return `${value.reading}@${value.tzid}`;
    default:
      return `${value.reading}@${value.kind}`;
  }
}

import { BoundedMap, ownCopy } from "../bounded-map.ts";
import { type ComponentVisitor, ComponentWalker, type ContentLine, lineText, parseContentLine, valueOffset } from "./components.ts";
import { decodedLine, type FeedSource } from "./octets.ts";
import { Warnings } from "./warnings.ts";
import { PLAIN_WEEKDAYS } from "./weekdays.ts";
import { finish, type Steps } from "./work.ts";

// The first pass over a feed: where each component lies, and for each VEVENT only the few raw
// properties that decide whether it can have an occurrence near a span of time. Everything that
// cannot matter is never read further: no objects, no dates, no zone lookups, no node-ical.

/** A span of time, as epoch milliseconds: `[from, to)`. */
export interface Horizon {
  from: number;
  to: number;
}

/** Where a component's text lies in the feed: `[at, end)`. */
export interface Span {
  at: number;
  end: number;
}

/** What the first pass found. */
export interface Scan {
  /** The VEVENTs of the feed that can matter for the horizon (all of them without one), in order. */
  events: Span[];
  /** How many VEVENTs the feed holds in all. */
  eventCount: number;
  /** VTIMEZONE blocks by their TZID (the first of each). */
  vtimezones: Map<string, Span>;
  /** Each top-level calendar's X-WR-TIMEZONE, in order. */
  declaredZones: string[];
  /** One line per component that lost its END, saying why (at most MAX_WARNINGS, then a count). */
  warnings: Warnings;
}

/** The raw properties of one VEVENT that decide whether it can matter. */
interface EventFacts {
  /** The UID as a number (`uidKey`): equal UIDs give equal keys; a rare collision only keeps an event more. */
  uid: number | undefined;
  /** DTSTART read roughly (`roughMs`): NaN when unreadable, undefined when there is none. */
  start: number | undefined;
  /** How DTSTART is written (`readStart`), when it is read. */
  startForm: StartForm | undefined;
  rrule: ContentLine | undefined;
  rdates: ContentLine[] | undefined;
  recurrenceId: ContentLine | undefined;
}

/** An open component. One frame per depth is made and used again for every component at that depth. */
interface Frame {
  type: string;
  at: number;
  /** Where the component's UID line lies in the feed (`uidAt` < 0: none yet), read as text only to name it in a warning. */
  uidAt: number;
  uidEnd: number;
  /** Whether `facts` are read: a VEVENT of a VCALENDAR. */
  event: boolean;
  facts: EventFacts;
  declaredZone: string | undefined;
  tzid: string | undefined;
}

/** The properties the first pass reads, by what they are to it. */
const WANTED = ["DTSTART", "RRULE", "RDATE", "RECURRENCE-ID", "UID", "TZID", "X-WR-TIMEZONE"] as const;
type Wanted = (typeof WANTED)[number];

/**
 * Which wanted property the line at `at` holds, if any, without making a string: the first two
 * letters name the one it can be, which is then compared in place, upper case as every producer
 * writes it, and in any case (RFC 5545 §3.1: `RRule`, `rdate`) on a copy when that fails.
 */
function wantedAt(text: string, at: number, end: number): Wanted | undefined {
  const name = candidateAt(text, at);
  if (name === undefined) return undefined;
  const after = at + name.length;
  if (after >= end) return undefined;
  const next = text.charCodeAt(after);
  if (next !== 58 && next !== 59) return undefined; // the name must end at ':' or ';'
  return text.startsWith(name, at) || text.slice(at, after).toUpperCase() === name ? name : undefined;
}

/** The one wanted name a line starting at `at` can hold, by its first letters in any case. */
function candidateAt(text: string, at: number): Wanted | undefined {
  const first = text.charCodeAt(at) | 0x20;
  if (first === 0x64) return "DTSTART";
  if (first === 0x75) return "UID";
  if (first === 0x74) return "TZID";
  if (first === 0x78) return "X-WR-TIMEZONE";
  if (first !== 0x72) return undefined;
  const second = text.charCodeAt(at + 1) | 0x20;
  return second === 0x72 ? "RRULE" : second === 0x64 ? "RDATE" : second === 0x65 ? "RECURRENCE-ID" : undefined;
}

/** The first pass reads the feed this much at a time between its steps (each ends before a BEGIN line). */
const SCAN_STEP = 256 * 1024;

/**
 * Finds each component of a feed (text with LF or CRLF breaks) and keeps the VEVENTs that may
 * have an occurrence starting in `horizon`, deciding from their raw DTSTART, RRULE, RDATE and
 * RECURRENCE-ID alone (see `mayMatter`), and the events whose reading depends on a kept one (the
 * other versions of a kept event or override), so which version wins never depends on the horizon.
 * Of a source of octets (see `octets.ts`), the few values read as text (zone names, a UID named
 * in a warning) are decoded.
 */
export function scanCalendar(source: FeedSource, horizon: Horizon | undefined): Scan {
  return finish(scanSteps(source, horizon));
}

/** `scanCalendar` in steps of about SCAN_STEP characters (or bytes) of the feed. */
export function* scanSteps(source: FeedSource, horizon: Horizon | undefined): Steps<Scan> {
  const scanner = new EventScanner(source, horizon);
  const walker = new ComponentWalker(scanner, WANTED);
  let at = 0;
  while (at < source.length) {
    const next = source.indexOf("\nBEGIN:", at + SCAN_STEP);
    const to = next < 0 ? source.length : next + 1;
    const { text, base } = source.stretch(at, to);
    scanner.read(text, base);
    walker.walk(text, at - base, to - base);
    at = to;
    if (at < source.length) yield;
  }
  walker.finish();
  return scanner.scan();
}

/**
 * What the first pass collects as it walks the components of a feed, a stretch at a time: the
 * walker reports offsets into the current stretch's text (`read`), which this keeps as offsets
 * into the feed.
 */
class EventScanner implements ComponentVisitor {
  readonly #source: FeedSource;
  readonly #horizon: Horizon | undefined;
  /** The text of the stretch being walked, and the offset in the feed of its first character. */
  #text = "";
  #base = 0;
  /** The open components, innermost last: `#frames[0, #depth)`. */
  readonly #frames: Frame[] = [];
  #depth = 0;
  readonly #warnings = new Warnings();
  readonly #declaredZones: string[] = [];
  readonly #vtimezones = new Map<string, Span>();
  /** Per event: its text as offsets (`at`, `end`, flat), its UID key, and for an override the instance it replaces. */
  readonly #bounds: number[] = [];
  readonly #uids: Array<number | undefined> = [];
  readonly #replaces: Array<string | undefined> = [];
  readonly #near: boolean[] = [];
  readonly #nearUids = new Set<number>();
  readonly #nearReplaced = new Set<string>();

  constructor(source: FeedSource, horizon: Horizon | undefined) {
    this.#source = source;
    this.#horizon = horizon;
  }

  /** The next stretch is `text`, whose first character lies at `base` in the feed. */
  read(text: string, base: number): void {
    this.#text = text;
    this.#base = base;
  }

  open(type: string, offset: number): void {
    const at = this.#base + offset;
    const depth = this.#depth++;
    const event = type === "VEVENT" && depth === 1 && this.#frames[0]?.type === "VCALENDAR";
    let frame = this.#frames[depth];
    if (!frame) {
      const facts = {
        uid: undefined,
        start: undefined,
        startForm: undefined,
        rrule: undefined,
        rdates: undefined,
        recurrenceId: undefined,
      };
      frame = { type, at, uidAt: -1, uidEnd: -1, event, facts, declaredZone: undefined, tzid: undefined };
      this.#frames[depth] = frame;
    }
    frame.type = type;
    frame.at = at;
    frame.uidAt = -1;
    frame.event = event;
    frame.declaredZone = undefined;
    frame.tzid = undefined;
    if (event) {
      const facts = frame.facts;
      facts.uid = undefined;
      facts.start = undefined;
      facts.startForm = undefined;
      facts.rrule = undefined;
      facts.rdates = undefined;
      facts.recurrenceId = undefined;
    }
  }

  line(at: number, end: number): void {
    const text = this.#text;
    const wanted = wantedAt(text, at, end);
    if (!wanted) return;
    const frame = this.#frames[this.#depth - 1] as Frame;
    if (wanted === "UID") {
      if (frame.uidAt >= 0) return;
      frame.uidAt = this.#base + at;
      frame.uidEnd = this.#base + end;
      if (frame.event) frame.facts.uid = uidKey(text, at, end, this.#source.octets);
    } else if (wanted === "X-WR-TIMEZONE") {
      if (frame.type === "VCALENDAR" && this.#depth === 1) frame.declaredZone ??= valueText(text, at, end, this.#source.octets);
    } else if (wanted === "TZID") {
      if (frame.type === "VTIMEZONE") frame.tzid ??= valueText(text, at, end, this.#source.octets).trim();
    } else if (frame.event) {
      readFact(text, at, end, wanted, frame.facts);
    }
  }

  close(offset: number): void {
    const end = this.#base + offset;
    const depth = --this.#depth;
    const frame = this.#frames[depth] as Frame;
    if (frame.event) {
      const { facts } = frame;
      const keep = this.#horizon === undefined || mayMatter(facts, this.#horizon);
      this.#bounds.push(frame.at, end);
      const uid = facts.uid;
      const rid = facts.recurrenceId;
      // The instance an override replaces, by its day: versions of an override may name it in
      // its zone or in UTC (a day apart around midnight), or as a DATE, so a kept version keeps
      // those of the day before and after too — the full reading then picks the current one.
      const ridMs = rid ? roughMs(rid.value) : Number.NaN;
      const ridDay = Number.isNaN(ridMs) ? undefined : Math.floor(ridMs / DAY_MS);
      const replaced = uid !== undefined && rid ? `${uid}\u0000${ridDay ?? rid.value.trim()}` : undefined;
      this.#uids.push(uid);
      this.#replaces.push(replaced);
      this.#near.push(keep);
      if (keep && uid !== undefined) this.#nearUids.add(uid);
      if (keep && replaced) {
        if (ridDay === undefined) this.#nearReplaced.add(replaced);
        else for (let day = ridDay - 1; day <= ridDay + 1; day++) this.#nearReplaced.add(`${uid}\u0000${day}`);
      }
    } else if (frame.type === "VTIMEZONE" && depth === 1 && this.#frames[0]?.type === "VCALENDAR") {
      if (frame.tzid && !this.#vtimezones.has(frame.tzid)) this.#vtimezones.set(frame.tzid, { at: frame.at, end });
    } else if (frame.type === "VCALENDAR" && depth === 0 && frame.declaredZone !== undefined) {
      this.#declaredZones.push(frame.declaredZone);
    }
  }

  drop(why: string): void {
    const frame = this.#frames[--this.#depth] as Frame;
    // The UID line may lie in an earlier stretch: it is read from the feed.
    const line = frame.uidAt >= 0 ? this.#source.slice(frame.uidAt, frame.uidEnd) : "";
    const uid = line ? uidText(line, 0, line.length, this.#source.octets) : "";
    const text = `skipped ${frame.type} ${uid || "(no UID)"}: ${why}`;
    if (frame.type === "VEVENT") this.#warnings.skip(uid, text);
    else this.#warnings.add(text);
  }

  /**
   * What the pass found. Which version of an event is current, and whether its overrides read as
   * all-day, is decided across every version (SEQUENCE): the versions of an event are kept together
   * whenever one of them or one of its overrides can matter. Of the overrides, only those that can
   * matter, and the other versions of the same override, are kept: one far from the horizon neither
   * moves an instance into it nor removes one from it.
   */
  scan(): Scan {
    const events: Span[] = [];
    for (let i = 0; i < this.#near.length; i++) {
      if (this.#keeps(i)) events.push({ at: this.#bounds[2 * i] as number, end: this.#bounds[2 * i + 1] as number });
    }
    return {
      events,
      eventCount: this.#near.length,
      vtimezones: this.#vtimezones,
      declaredZones: this.#declaredZones,
      warnings: this.#warnings,
    };
  }

  #keeps(i: number): boolean {
    if (this.#near[i]) return true;
    const replaced = this.#replaces[i];
    if (replaced !== undefined) return this.#nearReplaced.has(replaced);
    const uid = this.#uids[i];
    return uid !== undefined && this.#nearUids.has(uid);
  }
}

/**
 * What follows the first colon of the line `[at, end)`, as text of its own: a calendar's zone and
 * its VTIMEZONEs' TZIDs are kept with the parsed calendar, and must not keep the stretch alive.
 */
function valueText(text: string, at: number, end: number, octets: boolean): string {
  const line = decodedLine(lineText(text, at, end), octets);
  return ownCopy(line.slice(line.indexOf(":") + 1));
}

/** The UID written on the line `[at, end)`, trimmed, as text (with `octets`, decoded). */
function uidText(text: string, at: number, end: number, octets: boolean): string {
  const line = decodedLine(lineText(text, at, end), octets);
  const from = valueOffset(line, 3, line.length);
  return from < 0 ? "" : line.slice(from).trim();
}

/**
 * The UID of the line `[at, end)` as a 30-bit number (FNV-1a over its trimmed value), read where it
 * lies on an unfolded line: thousands of events cost no string each. Undefined for an empty UID.
 */
function uidKey(text: string, at: number, end: number, octets: boolean): number | undefined {
  const from = text.indexOf("\n", at) < end ? -1 : valueOffset(text, at + 3, end);
  const key = from < 0 ? NOT_ASCII : trimmedHash(text, from, end, octets);
  if (key !== NOT_ASCII) return key;
  // A folded line, or the octets of a UID that is not ASCII: read as text, and trimmed as text is.
  const value = uidText(text, at, end, octets);
  return trimmedHash(value, 0, value.length, false);
}

/** What `trimmedHash` gives for octets of a character that is not ASCII. */
const NOT_ASCII = -1;

/**
 * FNV-1a over `value[from, to)` trimmed, undefined when nothing is left; NOT_ASCII when `octets`
 * and it holds a byte of a multi-byte character (which the text's trimming must judge).
 */
function trimmedHash(value: string, start: number, stop: number, octets: boolean): number | undefined {
  const from = trimmedStart(value, start, stop);
  const to = trimmedEnd(value, from, stop);
  if (from >= to) return undefined;
  let hash = 0x811c9dc5;
  let bits = 0;
  for (let i = from; i < to; i++) {
    const c = value.charCodeAt(i);
    bits |= c;
    hash = Math.imul(hash ^ c, 0x01000193);
  }
  return octets && bits >= 0x80 ? NOT_ASCII : hash & 0x3fffffff;
}

/** Reads one of the properties that decide whether an event can matter into its facts. */
function readFact(text: string, at: number, end: number, wanted: Wanted, facts: EventFacts): void {
  if (wanted === "DTSTART") {
    if (facts.start !== undefined) return;
    // An unfolded line, the common case, costs no string: the value is read where it lies.
    if (text.indexOf("\n", at) >= end) {
      const from = valueOffset(text, at + wanted.length, end);
      if (from >= 0) readStart(text, from, end, facts);
    } else {
      const property = parseContentLine(lineText(text, at, end));
      if (property) readStart(property.value, 0, property.value.length, facts);
    }
    return;
  }
  const property = parseContentLine(lineText(text, at, end));
  if (!property) return;
  if (wanted === "RRULE") {
    facts.rrule ??= property;
  } else if (wanted === "RDATE") {
    facts.rdates ??= [];
    facts.rdates.push(property);
  } else {
    facts.recurrenceId ??= property;
  }
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/**
 * How far an instant can lie from its wall-clock reading read as UTC: zone offsets run from −12 h
 * to +14 h, a DATE is placed at midnight of a configured zone, an all-day UNTIL that Outlook writes
 * as the organiser's midnight in UTC names the day nearest to it. Two days covers all of them.
 */
const MARGIN_MS = 2 * DAY_MS;

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The number written by the digits at `text[at, at + length)`, or NaN. */
function digits(text: string, at: number, length: number): number {
  let n = 0;
  for (let i = at; i < at + length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    n = n * 10 + c;
  }
  return n;
}

/**
 * The wall-clock reading of a DATE or DATE-TIME (`YYYYMMDD`, `YYYYMMDDTHHMM[SS][Z]`) written at
 * `text[from, to)`, as if it were UTC; NaN when it is not a valid one, which the full reading then
 * names. Plain arithmetic on the text where it lies: this runs for every event of a feed.
 */
function roughAt(text: string, start: number, stop: number): number {
  const from = trimmedStart(text, start, stop);
  return roughTrimmed(text, from, trimmedEnd(text, from, stop));
}

/** `roughAt` of a value with no white space around it. */
function roughTrimmed(text: string, from: number, to: number): number {
  const length = to - from;
  if (length !== 8 && (length < 13 || length > 16 || (text.charCodeAt(from + 8) | 0x20) !== 0x74)) return Number.NaN;
  const year = digits(text, from, 4);
  const month = digits(text, from + 4, 2);
  const day = digits(text, from + 6, 2);
  let seconds = 0;
  if (length > 8) {
    const zulu = (text.charCodeAt(to - 1) | 0x20) === 0x7a;
    const time = length - 9 - (zulu ? 1 : 0);
    if (time !== 4 && time !== 6) return Number.NaN;
    const hour = digits(text, from + 9, 2);
    const minute = digits(text, from + 11, 2);
    const second = time === 6 ? digits(text, from + 13, 2) : 0;
    if (!(hour <= 23 && minute <= 59 && second <= 60)) return Number.NaN;
    seconds = hour * 3600 + minute * 60 + second;
  }
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31)) return Number.NaN;
  return (daysFromCivil(year, month, day) * 86_400 + seconds) * 1000;
}

/** How a DATE or DATE-TIME is written: a date, a UTC time (`Z`), or a local time (zoned or floating). */
type StartForm = "date" | "utc" | "local";

/** Reads DTSTART's value at `text[start, stop)` into `facts`: its instant as `roughAt` reads it, and its form. */
function readStart(text: string, start: number, stop: number, facts: EventFacts): void {
  const from = trimmedStart(text, start, stop);
  const to = trimmedEnd(text, from, stop);
  facts.start = roughTrimmed(text, from, to);
  facts.startForm = to - from === 8 ? "date" : (text.charCodeAt(to - 1) | 0x20) === 0x7a ? "utc" : "local";
}

/** `roughAt` of a whole string. */
function roughMs(raw: string): number {
  return roughAt(raw, 0, raw.length);
}

/** The white space `String.prototype.trim` removes that a calendar value can hold. */
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0 || c === 0xfeff;
}

/** Where `text[from, to)` starts once the white space before it is skipped (`to` when all of it is). */
function trimmedStart(text: string, from: number, to: number): number {
  let at = from;
  while (at < to && isSpace(text.charCodeAt(at))) at++;
  return at;
}

/** Where `text[from, to)` ends once the white space after it is dropped (`from` when all of it is). */
function trimmedEnd(text: string, from: number, to: number): number {
  let end = to;
  while (end > from && isSpace(text.charCodeAt(end - 1))) end--;
  return end;
}

/** Whether an instant read roughly (a wall reading read as UTC: within MARGIN_MS) may fall in the horizon. */
export function near(ms: number, horizon: Horizon): boolean {
  return ms - MARGIN_MS < horizon.to && ms + MARGIN_MS >= horizon.from;
}

/**
 * Whether an event may have an occurrence starting in `horizon`, decided conservatively from its
 * raw text: anything that cannot be read here is kept, so the full reading reports it.
 * - an override (RECURRENCE-ID) matters when its own start or the instance it replaces is near;
 *   a RANGE=THISANDFUTURE one always (it moves every later instance);
 * - a single event when its start is near; an RDATE when it is near;
 * - a series unless it starts after the horizon, its UNTIL lies before it, or its COUNT provably
 *   ends before it (`countEndBound`).
 */
export function mayMatter(facts: EventFacts, horizon: Horizon): boolean {
  const { start, rrule, recurrenceId } = facts;
  if (start === undefined || Number.isNaN(start)) return true;
  if (recurrenceId) {
    if (/^THISANDFUTURE$/i.test(recurrenceId.params.RANGE?.trim() ?? "")) return true;
    const replaced = roughMs(recurrenceId.value);
    return Number.isNaN(replaced) || near(start, horizon) || near(replaced, horizon);
  }
  // Most events have no RDATE: no list is made for them.
  if (facts.rdates) {
    for (const line of facts.rdates) {
      for (const item of line.value.split(",")) {
        if (item.trim() === "") continue;
        const ms = roughMs(item.split("/")[0] ?? "");
        if (Number.isNaN(ms) || near(ms, horizon)) return true;
      }
    }
  }
  if (near(start, horizon)) return true;
  const rule = rrule?.value.trim() ?? "";
  if (rule === "") return false;
  // Every instance of a rule starts at or after DTSTART.
  if (start - MARGIN_MS >= horizon.to) return false;
  const parts = ruleParts(rule);
  if (!parts) return true;
  const until = parts.get("UNTIL");
  if (until !== undefined) {
    const ms = roughMs(until);
    if (Number.isNaN(ms)) return true;
    if (ms + MARGIN_MS < horizon.from) return false;
  }
  const count = parts.get("COUNT");
  if (count !== undefined) {
    const bound = countEndBound(parts, Number(count), start, facts.startForm);
    if (bound !== undefined && bound + MARGIN_MS < horizon.from) return false;
  }
  return true;
}

/** Rules read by `ruleParts`, by their text: the series of a feed (and of many feeds) repeat a few rules. */
const readRules = new BoundedMap<string, Map<string, string> | undefined>(4096);

/** `FREQ=WEEKLY;COUNT=3` as a map of upper-case names to values; undefined when malformed. Remembered (do not change it). */
function ruleParts(rule: string): Map<string, string> | undefined {
  return readRules.remember(rule, readRuleParts, rule);
}

function readRuleParts(rule: string): Map<string, string> | undefined {
  const parts = new Map<string, string>();
  for (const part of rule.replace(/^RRULE:/i, "").split(";")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    if (eq < 0) return undefined;
    parts.set(
      part.slice(0, eq).trim().toUpperCase(),
      part
        .slice(eq + 1)
        .trim()
        .toUpperCase(),
    );
  }
  return parts.has("FREQ") ? parts : undefined;
}

/**
 * How far apart, in wall-clock time, two consecutive instances of a rule with no BYxxx part but
 * the time of day (or a plain weekly BYDAY list) can lie: one period of its frequency (a month 31
 * days, a year 366), or, for a rule on a day not every period has, as far as the next period that
 * has it. Undefined where that is not simply bounded: a monthly rule on the 29th to the 31st with
 * an INTERVAL (every fifth month on the 31st waits up to 30 months), a yearly one on 29 February
 * with an INTERVAL (every 25th year waits up to 400).
 */
function instanceGapMs(freq: string, interval: number, start: number): number | undefined {
  const wall = new Date(start);
  const day = wall.getUTCDate();
  if (freq === "SECONDLY") return interval * 1000;
  if (freq === "MINUTELY") return interval * 60_000;
  if (freq === "HOURLY") return interval * HOUR_MS;
  if (freq === "DAILY") return interval * DAY_MS;
  if (freq === "WEEKLY") return interval * 7 * DAY_MS;
  // Every month but February has the 29th and the 30th, and no two months in a row lack the 31st.
  if (freq === "MONTHLY") return day <= 28 ? interval * 31 * DAY_MS : interval === 1 ? 62 * DAY_MS : undefined;
  // Leap years are at most eight years apart (2096, 2104).
  if (freq === "YEARLY")
    return !(wall.getUTCMonth() === 1 && day === 29) ? interval * 366 * DAY_MS : interval === 1 ? 8 * 366 * DAY_MS : undefined;
  return undefined;
}

/**
 * An instant no later than the last instance of a COUNT rule, when that can be proved from the
 * rule alone; undefined otherwise (the event is then read in full). It can be proved when every
 * period of the rule holds at least one instance, so COUNT instances, DTSTART the first, lie
 * within COUNT of `instanceGapMs` of it: rules with no BYxxx part (BYHOUR, BYMINUTE and BYSECOND
 * only add instances to a day or longer period), and WEEKLY rules with a plain BYDAY list. A UTC
 * start, or a date one of a daily or longer rule, never loses an instance to a DST gap, so the
 * bound is that; in a zone (or floating, placed in one), where an instance a gap skips does not
 * count and one more follows it, a tenth more and a month are allowed for.
 */
function countEndBound(parts: Map<string, string>, count: number, start: number, form: StartForm | undefined): number | undefined {
  const freq = parts.get("FREQ") as string;
  const interval = Number(parts.get("INTERVAL") ?? "1");
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(interval) || interval < 1) return undefined;
  const subDaily = freq === "SECONDLY" || freq === "MINUTELY" || freq === "HOURLY";
  for (const name of parts.keys()) {
    if (name === "FREQ" || name === "COUNT" || name === "INTERVAL" || name === "WKST") continue;
    if (!subDaily && (name === "BYHOUR" || name === "BYMINUTE" || name === "BYSECOND")) continue;
    if (freq === "WEEKLY" && name === "BYDAY" && PLAIN_WEEKDAYS.test(parts.get(name) ?? "")) continue;
    return undefined;
  }
  const gap = instanceGapMs(freq, interval, start);
  if (gap === undefined) return undefined;
  const gapless = form === "utc" || (form === "date" && !subDaily);
  return gapless ? start + count * gap : start + count * gap * 1.1 + 30 * DAY_MS;
}

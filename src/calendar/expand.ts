import { Temporal } from "temporal-polyfill";
import { CalendarError } from "../errors.ts";
import { type Component, readComponents } from "./components.ts";
import { expandSeries, type Instance, type Placement, zoneOf } from "./instances.ts";
import type { Occurrence } from "./occurrence.ts";
import { type FeedInput, type FeedSource, sourceOf } from "./octets.ts";
import { type Horizon, type Span, scanSteps } from "./scan.ts";
import { RECORD_PROPERTIES, type Series, seriesSteps } from "./series.ts";
import { ianaZone, windowsZone, type Zone, type ZoneBlocks } from "./timezones.ts";
import { isTimeZone } from "./wall-clock.ts";
import { Warnings } from "./warnings.ts";
import { CalendarWorkError, finish, type Steps, WorkBudget } from "./work.ts";

/** What to expand: occurrences starting in `[from, to)`, floating times read in `timezone`. */
export interface ExpandOptions {
  from: Date;
  to: Date;
  /** Zone of floating times and all-day events, unless the calendar names its own. */
  timezone: string;
}

/** The occurrences of a calendar in a window, and what could not be read. */
export interface Expansion {
  /** Sorted by start, then uid. */
  occurrences: Occurrence[];
  /** One line per component that was skipped or cut short, saying why. */
  warnings: string[];
  /** The UIDs of the events skipped: the occurrences say nothing about them (neither there nor gone). */
  skipped: string[];
}

/** A calendar read once, to be expanded over any number of windows (warm runs, catch-up). */
export interface ParsedCalendar {
  /** The feed (its bytes, or its text), kept to read it again for a span its horizon does not cover. */
  source: FeedSource;
  /**
   * The span of occurrence starts this reading serves (epoch ms), or undefined for all time.
   * `occurrencesOf` reads the feed again, for a wider span, when asked outside it.
   */
  horizon: Horizon | undefined;
  /** Events grouped by UID: a series with its overrides, or a single event. */
  series: Series[];
  /** How many VEVENTs the feed holds (read or not). */
  eventCount: number;
  /** The calendar's own zone for floating times (X-WR-TIMEZONE), when it names a known one. */
  timezone: string | undefined;
  /** One line per component that was skipped while reading, saying why. */
  warnings: string[];
  /** The UIDs of the events skipped while reading. */
  skipped: string[];
  /** VTIMEZONE blocks by TZID, for zones only the calendar defines; each read when first asked for. */
  vtimezones: ZoneBlocks;
  /** TZIDs resolved so far: reading a VTIMEZONE's rules is done once per calendar, not per window. */
  zones: Map<string, Zone | undefined>;
}

/** What to read of a feed. */
export interface ParseOptions {
  /**
   * Occurrence starts the caller will ask for. Events that provably have none in it are left
   * unread (a long history costs one pass over its text); asking `occurrencesOf` for starts
   * outside it reads the text again. Without it the whole calendar is read.
   */
  horizon?: { from: Date; to: Date };
}

/** At most this many occurrences come out of one expansion of one calendar; more are reported. */
export const MAX_OCCURRENCES = 50_000;

/**
 * When a window leaves the horizon of a kept calendar, it is read again for this much before and
 * after the window, so the next windows of a warm container are served without reading it again.
 */
const REREAD_BEFORE_MS = 24 * 3_600_000;
const REREAD_AFTER_MS = 8 * 24 * 3_600_000;

function calendarZone(declared: string): string | undefined {
  const name = declared.trim().replace(/^"(.*)"$/, "$1");
  if (!name) return undefined;
  if (isTimeZone(name)) return name;
  return windowsZone(name);
}

/**
 * VTIMEZONE blocks of a feed by TZID, read only when a surviving event asks for one: a feed of
 * thousands of custom zone blocks costs its first pass, not a component tree.
 */
class LazyZoneBlocks implements ZoneBlocks {
  readonly #source: FeedSource;
  readonly #spans: ReadonlyMap<string, Span>;
  readonly #read = new Map<string, Component | undefined>();

  constructor(source: FeedSource, spans: ReadonlyMap<string, Span>) {
    this.#source = source;
    this.#spans = spans;
  }

  get(tzid: string): Component | undefined {
    if (!this.#read.has(tzid)) {
      const span = this.#spans.get(tzid);
      this.#read.set(tzid, span ? componentAt(this.#source, span) : undefined);
    }
    return this.#read.get(tzid);
  }
}

/** Events read (split into properties) between two steps of a reading. */
const EVENTS_PER_STEP = 200;

/** The component whose text lies at `span` of the feed (with `only`, those properties of it alone). */
function componentAt(source: FeedSource, span: Span, only?: readonly string[]): Component | undefined {
  const text = source.slice(span.at, span.end);
  return readComponents(text, 0, text.length, source.octets, only).others[0];
}

/** Reads the events of `source` that can matter for `horizon` (all without one) into `calendar`, in steps. */
function* reading(calendar: ParsedCalendar, horizon: Horizon | undefined): Steps<void> {
  const { source } = calendar;
  const scan = yield* scanSteps(source, horizon);
  const events: Component[] = [];
  for (const [i, span] of scan.events.entries()) {
    const event = componentAt(source, span, RECORD_PROPERTIES);
    if (event) events.push(event);
    if ((i + 1) % EVENTS_PER_STEP === 0) yield;
  }
  const { series, warnings, skipped } = yield* seriesSteps(events);
  let timezone: string | undefined;
  for (const declared of scan.declaredZones) timezone ??= calendarZone(declared);
  calendar.horizon = horizon;
  calendar.series = series;
  calendar.eventCount = scan.eventCount;
  calendar.timezone = timezone;
  scan.warnings.addAll(warnings);
  calendar.warnings = scan.warnings.list();
  calendar.skipped = [...new Set([...scan.warnings.skippedUids(), ...skipped])];
  calendar.vtimezones = new LazyZoneBlocks(source, scan.vtimezones);
  calendar.zones = new Map();
}

/**
 * Reads an iCalendar feed: its text, or its bytes in UTF-8, read without decoding them whole (see
 * `octets.ts`: the way to hand it a feed as it was downloaded or read from a file). A component
 * that cannot be read (a bad date, a broken RRULE, a missing END) is skipped and named in
 * `warnings`; the rest of the calendar is kept. With a horizon, only the events that can have an
 * occurrence starting in it are read. Pure: no I/O, no clock.
 *
 * @throws CalendarError when the text is not an iCalendar document: it must start, after a
 * byte-order mark and blank space, with BEGIN:VCALENDAR.
 */
export function parseCalendar(feed: FeedInput, options: ParseOptions = {}): ParsedCalendar {
  return finish(parseSteps(feed, options));
}

/** `parseCalendar` in steps: it yields between stretches of text and batches of events, so a caller can pause. */
export function parseSteps(feed: FeedInput, options: ParseOptions = {}): Steps<ParsedCalendar> {
  // Made before the steps start, so that they do not hold a feed's bytes as well while they read it.
  return sourceSteps(sourceOf(feed), options);
}

/** Blank space and byte-order marks that may come before BEGIN:VCALENDAR (looked for in this much of a feed). */
const LEADING = /^[\uFEFF\s]*/;
const HEAD = 4096;

function* sourceSteps(feed: FeedSource, options: ParseOptions): Steps<ParsedCalendar> {
  // Some servers put a byte-order mark or blank space before BEGIN:VCALENDAR; a leading space would
  // otherwise read as a folded continuation of nothing, and the whole calendar would be lost.
  const head = feed.slice(0, Math.min(feed.length, HEAD));
  const skip = LEADING.exec(head)?.[0].length ?? 0;
  const start = head.slice(skip, skip + 64);
  if (!/^BEGIN:VCALENDAR/i.test(start)) {
    const looksHtml = /^(<!doctype html|<html|<\?xml|<)/i.test(start);
    throw new CalendarError(
      looksHtml
        ? "is an HTML/XML page, not an iCalendar feed: the URL probably points to a login or preview page; use the calendar's secret iCal/.ics address"
        : "is not an iCalendar feed (it does not start with BEGIN:VCALENDAR); check that the URL is the calendar's .ics address",
    );
  }
  const calendar: ParsedCalendar = {
    source: feed.from(skip),
    horizon: undefined,
    series: [],
    eventCount: 0,
    timezone: undefined,
    warnings: [],
    skipped: [],
    vtimezones: new LazyZoneBlocks(feed, new Map()),
    zones: new Map(),
  };
  const horizon = options.horizon;
  yield* reading(calendar, horizon ? { from: horizon.from.getTime(), to: horizon.to.getTime() } : undefined);
  return calendar;
}

/** When an instance starts, in epoch ms: an all-day one at midnight of the configured zone. */
function startOf(instance: Instance, place: Placement): number {
  return instance.allDay ? place.allDay.toInstant((instance.day as Temporal.PlainDate).toPlainDateTime()) : (instance.start as number);
}

/** The occurrence of an instance that starts at `start` (`startOf`): its text is read here, for occurrences in the window only. */
function toOccurrence(instance: Instance, start: number, place: Placement): Occurrence {
  const { record } = instance;
  const common = {
    uid: record.uid,
    summary: record.text.summary,
    description: record.text.description,
    location: record.text.location,
    url: record.text.url,
    conference: record.text.conference,
    recurrenceId: instance.recurrenceId,
    status: record.status,
  };
  if (instance.allDay) {
    const day = instance.day as Temporal.PlainDate;
    return {
      ...common,
      start: new Date(start),
      end: new Date(place.allDay.toInstant(day.add({ days: instance.days ?? 1 }).toPlainDateTime())),
      allDay: true,
      day: day.toString(),
      timezone: place.allDay.id as string,
    };
  }
  const zone = zoneOf(record.start, place);
  return {
    ...common,
    start: new Date(start),
    end: new Date(instance.end as number),
    allDay: false,
    day: undefined,
    timezone: zone.id && isTimeZone(zone.id) ? zone.id : (place.floating.id as string),
  };
}

/**
 * The occurrences of a parsed calendar that start in `[from, to)`, sorted by start then uid.
 * Cancelled occurrences (STATUS:CANCELLED, EXDATE) never appear. Work is bounded: at most
 * MAX_INSTANCES_PER_SERIES per series and MAX_OCCURRENCES in all, each cut reported in
 * `warnings`, and at most `work`'s limit of instances generated. Pure: no I/O, no clock.
 *
 * @throws CalendarWorkError when the calendar's rules generate more than the budget allows.
 */
export function occurrencesOf(calendar: ParsedCalendar, options: ExpandOptions, work = new WorkBudget()): Expansion {
  return finish(occurrenceSteps(calendar, options, work));
}

/** `occurrencesOf` in steps: it yields between series and between spans of a long rule, so a caller can pause. */
export function* occurrenceSteps(calendar: ParsedCalendar, options: ExpandOptions, work = new WorkBudget()): Steps<Expansion> {
  const from = options.from.getTime();
  const to = options.to.getTime();
  const { horizon } = calendar;
  if (horizon && (from < horizon.from || to > horizon.to)) {
    yield* reading(calendar, { from: from - REREAD_BEFORE_MS, to: to + REREAD_AFTER_MS });
  }
  const floatingId = calendar.timezone ?? options.timezone;
  const place: Placement = {
    vtimezones: calendar.vtimezones,
    zones: calendar.zones,
    floating: ianaZone(floatingId),
    allDay: ianaZone(options.timezone),
    warnings: new Warnings(),
    work,
  };
  const occurrences: Occurrence[] = [];
  let truncated = false;
  for (const series of calendar.series) {
    const instances: Instance[] = [];
    try {
      yield* expandSeries(series, from, to, place, instances);
    } catch (error) {
      if (error instanceof CalendarWorkError) throw error;
      place.warnings.skip(series.uid, `skipped event ${series.uid || "(no UID)"}: ${(error as Error).message}`);
      continue;
    }
    for (const instance of instances) {
      if (instance.record.status === "CANCELLED") continue;
      const start = startOf(instance, place);
      if (start < from || start >= to) continue;
      const occurrence = toOccurrence(instance, start, place);
      if (occurrences.length >= MAX_OCCURRENCES) {
        truncated = true;
        break;
      }
      occurrences.push(occurrence);
    }
    yield;
  }
  if (truncated) place.warnings.add(`more than ${MAX_OCCURRENCES} occurrences in the window; only the first ${MAX_OCCURRENCES} are kept`);
  occurrences.sort((a, b) => a.start.getTime() - b.start.getTime() || byCodeUnits(a.uid, b.uid));
  return { occurrences, warnings: place.warnings.list(), skipped: place.warnings.skippedUids() };
}

/**
 * UIDs in the order of their UTF-16 code units: the same on every runtime (a locale's collation
 * depends on its ICU data), and no collator for a fresh process to build.
 */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Reads iCalendar text and expands it into the occurrences that start in `[from, to)`. Components
 * that cannot be read are skipped and reported in `warnings`.
 *
 * @throws CalendarError when the text is not an iCalendar document at all.
 */
export function expandCalendar(ics: FeedInput, options: ExpandOptions): Expansion {
  const calendar = parseCalendar(ics, { horizon: options });
  const expansion = occurrencesOf(calendar, options);
  return {
    occurrences: expansion.occurrences,
    warnings: [...calendar.warnings, ...expansion.warnings],
    skipped: [...new Set([...calendar.skipped, ...expansion.skipped])],
  };
}

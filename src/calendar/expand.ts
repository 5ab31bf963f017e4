import { Temporal } from "temporal-polyfill";
import { CalendarError } from "../errors.ts";
import { type Component, property, readComponents } from "./components.ts";
import type { Occurrence } from "./occurrence.ts";
import { expandSeries, type Instance, type Placement, zoneOf } from "./instances.ts";
import { readSeries, type Series } from "./series.ts";
import { ianaZone, windowsZone, type Zone } from "./timezones.ts";
import { isTimeZone } from "./zones.ts";

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
}

/** A calendar read once, to be expanded over any number of windows (warm runs, catch-up). */
export interface ParsedCalendar {
  /** Events grouped by UID: a series with its overrides, or a single event. */
  series: Series[];
  /** How many VEVENTs were read. */
  eventCount: number;
  /** The calendar's own zone for floating times (X-WR-TIMEZONE), when it names a known one. */
  timezone: string | undefined;
  /** One line per component that was skipped while reading, saying why. */
  warnings: string[];
  /** VTIMEZONE blocks by TZID, for zones only the calendar defines. */
  vtimezones: ReadonlyMap<string, Component>;
  /** TZIDs resolved so far: reading a VTIMEZONE's rules is done once per calendar, not per window. */
  zones: Map<string, Zone | undefined>;
}

/** At most this many occurrences come out of one expansion of one calendar; more are reported. */
export const MAX_OCCURRENCES = 50_000;

function calendarZone(calendar: Component): string | undefined {
  const declared = property(calendar, "X-WR-TIMEZONE")?.value.trim().replace(/^"(.*)"$/, "$1");
  if (!declared) return undefined;
  if (isTimeZone(declared)) return declared;
  return windowsZone(declared);
}

/**
 * Reads iCalendar text. A component that cannot be read (a bad date, a broken RRULE, a missing
 * END) is skipped and named in `warnings`; the rest of the calendar is kept. Pure: no I/O, no clock.
 *
 * @throws CalendarError when the text is not an iCalendar document at all.
 */
export function parseCalendar(feed: string): ParsedCalendar {
  // Some servers put a byte-order mark or blank space before BEGIN:VCALENDAR; a leading space would
  // otherwise read as a folded continuation of nothing, and the whole calendar would be lost.
  const ics = feed.replace(/^[\uFEFF\s]+/, "");
  if (!/BEGIN:VCALENDAR/i.test(ics)) {
    const looksHtml = /^\s*(<!doctype html|<html|<\?xml|<)/i.test(ics);
    throw new CalendarError(
      looksHtml
        ? "is an HTML/XML page, not an iCalendar feed: the URL probably points to a login or preview page; use the calendar's secret iCal/.ics address"
        : "is not an iCalendar feed (no BEGIN:VCALENDAR); check that the URL is the calendar's .ics address",
    );
  }
  const tree = readComponents(ics);
  const events: Component[] = [];
  const vtimezones = new Map<string, Component>();
  let timezone: string | undefined;
  for (const calendar of tree.calendars) {
    timezone ??= calendarZone(calendar);
    for (const component of calendar.components) {
      if (component.type === "VEVENT") events.push(component);
      if (component.type === "VTIMEZONE") {
        const tzid = property(component, "TZID")?.value.trim();
        if (tzid && !vtimezones.has(tzid)) vtimezones.set(tzid, component);
      }
    }
  }
  const { series, warnings } = readSeries(events);
  return {
    series,
    eventCount: events.length,
    timezone,
    warnings: [...tree.warnings, ...warnings],
    vtimezones,
    zones: new Map(),
  };
}

function toOccurrence(instance: Instance, place: Placement): Occurrence {
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
      start: new Date(place.allDay.toInstant(day.toPlainDateTime())),
      end: new Date(place.allDay.toInstant(day.add({ days: instance.days ?? 1 }).toPlainDateTime())),
      allDay: true,
      day: day.toString(),
      timezone: place.allDay.id as string,
    };
  }
  const zone = zoneOf(record.start, place);
  return {
    ...common,
    start: new Date(instance.start as number),
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
 * `warnings`. Pure: no I/O, no clock.
 */
export function occurrencesOf(calendar: ParsedCalendar, options: ExpandOptions): Expansion {
  const floatingId = calendar.timezone ?? options.timezone;
  const place: Placement = {
    vtimezones: calendar.vtimezones,
    zones: calendar.zones,
    floating: ianaZone(floatingId),
    allDay: ianaZone(options.timezone),
    warnings: new Set(),
  };
  const from = options.from.getTime();
  const to = options.to.getTime();
  const occurrences: Occurrence[] = [];
  let truncated = false;
  for (const series of calendar.series) {
    const instances: Instance[] = [];
    try {
      expandSeries(series, from, to, place, instances);
    } catch (error) {
      place.warnings.add(`skipped event ${series.uid || "(no UID)"}: ${(error as Error).message}`);
      continue;
    }
    for (const instance of instances) {
      if (instance.record.status === "CANCELLED") continue;
      const occurrence = toOccurrence(instance, place);
      const start = occurrence.start.getTime();
      if (start < from || start >= to) continue;
      if (occurrences.length >= MAX_OCCURRENCES) {
        truncated = true;
        break;
      }
      occurrences.push(occurrence);
    }
  }
  if (truncated) place.warnings.add(`more than ${MAX_OCCURRENCES} occurrences in the window; only the first ${MAX_OCCURRENCES} are kept`);
  occurrences.sort((a, b) => a.start.getTime() - b.start.getTime() || a.uid.localeCompare(b.uid));
  return { occurrences, warnings: [...place.warnings] };
}

/**
 * Reads iCalendar text and expands it into the occurrences that start in `[from, to)`. Components
 * that cannot be read are skipped and reported in `warnings`.
 *
 * @throws CalendarError when the text is not an iCalendar document at all.
 */
export function expandCalendar(ics: string, options: ExpandOptions): Expansion {
  const calendar = parseCalendar(ics);
  const expansion = occurrencesOf(calendar, options);
  return { occurrences: expansion.occurrences, warnings: [...calendar.warnings, ...expansion.warnings] };
}

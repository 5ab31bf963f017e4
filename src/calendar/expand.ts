import ical, { type DateWithTimeZone, type ParameterValue, type VEvent } from "node-ical";
import { CalendarError } from "../errors.ts";
import type { Occurrence } from "./occurrence.ts";
import { addDays, isTimeZone, isValidDate, parseDay, wallClockToInstant } from "./zones.ts";

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
  /** One line per component that was skipped, saying why. */
  warnings: string[];
}

const DAY_MS = 86_400_000;

function text(value: ParameterValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "object" && "val" in value) return String(value.val);
  return String(value);
}

/** Local calendar fields of a date node-ical built from a zoneless value (see below). */
function localDay(date: Date): string {
  const y = String(date.getFullYear()).padStart(4, "0");
  const m = String(date.getMonth() + 1).padStart(2, "0");
  const d = String(date.getDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}

/**
 * node-ical builds floating date-times and dates in the process's own zone (`new Date(y, m, d, …)`),
 * ignoring X-WR-TIMEZONE. Read the same local fields back and place them in the zone that
 * RFC 5545 and the calendar mean.
 */
function floatingToInstant(date: Date, timeZone: string): Date {
  return wallClockToInstant(
    {
      year: date.getFullYear(),
      month: date.getMonth() + 1,
      day: date.getDate(),
      hour: date.getHours(),
      minute: date.getMinutes(),
      second: date.getSeconds(),
    },
    timeZone,
  );
}

function calendarTimeZone(data: Record<string, unknown>): string | undefined {
  for (const component of Object.values(data)) {
    const c = component as { type?: string; "WR-TIMEZONE"?: unknown } | undefined;
    if (c?.type === "VCALENDAR" && typeof c["WR-TIMEZONE"] === "string") {
      const zone = c["WR-TIMEZONE"].trim();
      if (zone) return zone;
    }
  }
  return undefined;
}

/** A calendar read once, to be expanded over any number of windows (warm runs, catch-up). */
export interface ParsedCalendar {
  /** The VEVENT components, overrides attached to their series by node-ical. */
  events: VEvent[];
  /** The calendar's own zone for floating times (X-WR-TIMEZONE), when it names a known one. */
  timezone: string | undefined;
  /** One line per component that was skipped while reading, saying why. */
  warnings: string[];
}

/**
 * Reads iCalendar text. Pure: no I/O, no clock.
 *
 * @throws CalendarError when the text is not an iCalendar document at all.
 */
export function parseCalendar(ics: string): ParsedCalendar {
  if (!/BEGIN:VCALENDAR/i.test(ics)) {
    const looksHtml = /^\s*(<!doctype html|<html|<\?xml|<)/i.test(ics);
    throw new CalendarError(
      looksHtml
        ? "is an HTML/XML page, not an iCalendar feed: the URL probably points to a login or preview page; use the calendar's secret iCal/.ics address"
        : "is not an iCalendar feed (no BEGIN:VCALENDAR); check that the URL is the calendar's .ics address",
    );
  }
  let data: Record<string, unknown>;
  try {
    data = ical.sync.parseICS(ics) as Record<string, unknown>;
  } catch (error) {
    throw new CalendarError(`could not be parsed as iCalendar: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const declared = calendarTimeZone(data);
  const warnings: string[] = [];
  const events: VEvent[] = [];
  for (const component of Object.values(data)) {
    const event = component as VEvent;
    if (event?.type !== "VEVENT") continue;
    if (!(event.start instanceof Date) || !isValidDate(event.start)) {
      warnings.push(`skipped event ${event.uid ?? "(no UID)"}: DTSTART is missing or not a date`);
      continue;
    }
    events.push(event);
  }
  return { events, timezone: declared && isTimeZone(declared) ? declared : undefined, warnings };
}

/**
 * The occurrences of a parsed calendar that start in `[from, to)`, sorted by start then uid.
 * Cancelled occurrences (STATUS:CANCELLED, EXDATE) never appear. Pure: no I/O, no clock.
 */
export function occurrencesOf(calendar: ParsedCalendar, options: ExpandOptions): Expansion {
  const floatingZone = calendar.timezone ?? options.timezone;
  const warnings: string[] = [];
  const occurrences: Occurrence[] = [];
  // Floating times move by up to a day once placed in their zone: expand with a margin, then cut.
  const from = new Date(options.from.getTime() - DAY_MS);
  const to = new Date(options.to.getTime() + DAY_MS);

  for (const event of calendar.events) {
    let instances: ReturnType<typeof ical.expandRecurringEvent>;
    try {
      instances = ical.expandRecurringEvent(event, { from, to });
    } catch (error) {
      warnings.push(`skipped event ${event.uid}: ${(error as Error).message}`);
      continue;
    }
    for (const instance of instances) {
      const source = instance.event;
      if (String(source.status ?? "").toUpperCase() === "CANCELLED") continue;
      const occurrence = toOccurrence(instance.start, instance.end, instance.isFullDay, source, {
        floatingZone,
        allDayZone: options.timezone,
      });
      if (occurrence.start >= options.from && occurrence.start < options.to) {
        occurrences.push(occurrence);
      }
    }
  }
  occurrences.sort((a, b) => a.start.getTime() - b.start.getTime() || a.uid.localeCompare(b.uid));
  return { occurrences, warnings };
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

function toOccurrence(
  start: DateWithTimeZone,
  end: DateWithTimeZone | undefined,
  allDay: boolean,
  event: VEvent,
  zones: { floatingZone: string; allDayZone: string },
): Occurrence {
  const recurrence = event.recurrenceid;
  const common = {
    uid: String(event.uid ?? ""),
    summary: text(event.summary) ?? "",
    description: text(event.description as ParameterValue | undefined),
    location: text(event.location),
    url: text(event.url as ParameterValue | undefined),
    conference: text((event as Record<string, unknown>)["GOOGLE-CONFERENCE"] as ParameterValue | undefined),
    recurrenceId: recurrence instanceof Date && isValidDate(recurrence) ? recurrence.toISOString() : undefined,
    status: event.status === undefined ? undefined : String(event.status).toUpperCase(),
  };
  if (allDay) {
    const day = localDay(start);
    const lastDay = end && isValidDate(end) ? localDay(end) : addDays(day, 1);
    const endDay = lastDay > day ? lastDay : addDays(day, 1);
    return {
      ...common,
      start: wallClockToInstant(parseDay(day), zones.allDayZone),
      end: wallClockToInstant(parseDay(endDay), zones.allDayZone),
      allDay: true,
      day,
      timezone: zones.allDayZone,
    };
  }
  const floating = start.tz === undefined;
  const startAt = floating ? floatingToInstant(start, zones.floatingZone) : new Date(start.getTime());
  const duration = end && isValidDate(end) ? end.getTime() - start.getTime() : 0;
  return {
    ...common,
    start: startAt,
    end: new Date(startAt.getTime() + Math.max(0, duration)),
    allDay: false,
    day: undefined,
    timezone: floating ? zones.floatingZone : (start.tz ?? zones.floatingZone),
  };
}

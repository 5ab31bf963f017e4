import { Temporal } from "temporal-polyfill";
import type { Occurrence } from "../calendar/occurrence.ts";
import { addDays } from "../calendar/wall-clock.ts";
import { wanted } from "../reminders/due.ts";
import { DAY_MS } from "../reminders/durations.ts";
import type { Feed } from "../reminders/feed.ts";
import type { TimeWindow } from "../reminders/window.ts";
import type { DueDigest } from "./schedule.ts";

/** The occurrences one feed has around a digest's span (see `agendaRange`). */
export interface AgendaSource {
  feed: Feed;
  occurrences: readonly Occurrence[];
}

/** One event on one day of an agenda. */
export interface AgendaEntry {
  occurrence: Occurrence;
  /** The feeds it came from, by display name: the same meeting in several feeds is one entry. */
  feedNames: string[];
  /** Which of the days it covers this one is (1 = its first), and how many it covers. */
  dayNumber: number;
  dayCount: number;
}

/** The events of one local day, all-day ones first, then by start. */
export interface AgendaDay {
  day: string;
  entries: AgendaEntry[];
}

/** What a digest post lists. */
export interface Agenda {
  due: DueDigest;
  /** Every day of the digest, empty ones included, in order. */
  days: AgendaDay[];
  /** Distinct events (an event covering three days counts once). */
  events: number;
  /** Display names of the digest's feeds that could not be read: their events are missing. */
  unread: string[];
}

/**
 * How long before a digest's span an event may have started and still be listed as continuing:
 * asking the calendar further back would cost every digest the expansion of weeks of rules.
 */
export const CONTINUING_DAYS = 14;

/**
 * The span to ask each feed's calendar for: the digest's own, from `CONTINUING_DAYS` earlier
 * (events that began before it and run into it), and a day later (an all-day event is placed at
 * midnight of its feed's zone, which can be after the digest's span ends in its own zone).
 */
export function agendaRange(due: DueDigest): TimeWindow {
  return {
    from: new Date(due.span.from.getTime() - CONTINUING_DAYS * DAY_MS),
    to: new Date(due.span.to.getTime() + DAY_MS),
  };
}

function localDay(instant: Date, timezone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timezone).toPlainDate().toString();
}

/**
 * The days an occurrence covers: an all-day one its dates (DTEND exclusive), a timed one the
 * local days of the digest's zone from its start to just before its end.
 */
function daysCovered(occurrence: Occurrence, timezone: string): string[] {
  if (occurrence.allDay && occurrence.day) {
    const count = Math.max(1, Math.round((occurrence.end.getTime() - occurrence.start.getTime()) / DAY_MS));
    return Array.from({ length: count }, (_, i) => addDays(occurrence.day as string, i));
  }
  const first = localDay(occurrence.start, timezone);
  const last = localDay(new Date(Math.max(occurrence.start.getTime(), occurrence.end.getTime() - 1)), timezone);
  const days = [first];
  while ((days[days.length - 1] as string) < last) days.push(addDays(days[days.length - 1] as string, 1));
  return days;
}

/** A timed occurrence is listed when it overlaps the span; one without duration when it starts in it. */
function overlaps(occurrence: Occurrence, span: TimeWindow): boolean {
  if (occurrence.start >= span.to) return false;
  return occurrence.end > span.from || (occurrence.end <= occurrence.start && occurrence.start >= span.from);
}

function order(a: AgendaEntry, b: AgendaEntry): number {
  const rank = (e: AgendaEntry) => (e.occurrence.allDay ? 0 : e.dayNumber > 1 ? 1 : 2);
  return (
    rank(a) - rank(b) ||
    a.occurrence.start.getTime() - b.occurrence.start.getTime() ||
    a.occurrence.summary.localeCompare(b.occurrence.summary) ||
    a.occurrence.uid.localeCompare(b.occurrence.uid)
  );
}

/**
 * The agenda of one digest post: the occurrences of its days from its feeds (each feed's
 * `include`/`exclude` applied), grouped by local day, all-day events first; a multi-day event on
 * each day it covers. The same meeting in several feeds — same UID and start — is one entry naming
 * every feed. `unread` feeds are named, by display name, so readers know what is missing.
 * Pure: the occurrences come in, already expanded (cancelled ones and EXDATEs are never there).
 */
export function buildAgenda(due: DueDigest, sources: readonly AgendaSource[], unread: readonly Feed[] = []): Agenda {
  const { timezone } = due.digest;
  const wantedDays = new Set(due.days);
  const byKey = new Map<string, { occurrence: Occurrence; feedNames: string[]; days: string[] }>();
  for (const { feed, occurrences } of sources) {
    for (const occurrence of occurrences) {
      if (!wanted(occurrence, feed)) continue;
      if (!occurrence.allDay && !overlaps(occurrence, due.span)) continue;
      const days = daysCovered(occurrence, timezone);
      if (!days.some((day) => wantedDays.has(day))) continue;
      // An all-day event is its day, whatever zone each feed places its midnight in.
      const key = `${occurrence.uid}#${occurrence.allDay ? occurrence.day : occurrence.start.toISOString()}`;
      const known = byKey.get(key);
      if (!known) byKey.set(key, { occurrence, feedNames: [feed.name], days });
      else if (!known.feedNames.includes(feed.name)) known.feedNames.push(feed.name);
    }
  }
  const days = new Map<string, AgendaEntry[]>(due.days.map((day) => [day, []]));
  const listed = new Set<Occurrence>();
  for (const { occurrence, feedNames, days: covered } of byKey.values()) {
    covered.forEach((day, index) => {
      // A timed event's later days count only where they are inside the span (a weekly digest
      // starts at its time, not at midnight).
      if (!occurrence.allDay && index > 0 && !overlaps({ ...occurrence, start: dayStart(day, timezone) }, due.span)) return;
      const entries = days.get(day);
      if (!entries) return;
      entries.push({ occurrence, feedNames, dayNumber: index + 1, dayCount: covered.length });
      listed.add(occurrence);
    });
  }
  return {
    due,
    days: [...days].map(([day, entries]) => ({ day, entries: entries.sort(order) })),
    events: listed.size,
    unread: unread.map((feed) => feed.name),
  };
}

function dayStart(day: string, timezone: string): Date {
  return new Date(Temporal.PlainDate.from(day).toZonedDateTime({ timeZone: timezone }).epochMilliseconds);
}

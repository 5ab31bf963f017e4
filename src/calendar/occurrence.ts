import { addDays, formatInstant } from "./wall-clock.ts";

/** One occurrence of an event: a single event, or one instance of a recurring series. */
export interface Occurrence {
  uid: string;
  summary: string;
  description: string | undefined;
  location: string | undefined;
  url: string | undefined;
  /** Google's `X-GOOGLE-CONFERENCE`: the Meet link of the event, when it has one. */
  conference?: string | undefined;
  /** The instant it starts; for an all-day occurrence, midnight of its first day in `timezone`. */
  start: Date;
  /** The instant it ends (exclusive). */
  end: Date;
  allDay: boolean;
  /** For an all-day occurrence, its first day as `YYYY-MM-DD`. */
  day: string | undefined;
  /**
   * Which instance of a recurring event this is: its original start (the RECURRENCE-ID that names
   * it, even when an override moved it), ISO 8601 in UTC, or `YYYY-MM-DD` for an all-day series.
   * Undefined for a single event.
   */
  recurrenceId: string | undefined;
  /** STATUS of the event, upper case (`CONFIRMED`, `TENTATIVE`); cancelled ones never appear. */
  status: string | undefined;
  /**
   * The zone its start was written in: DTSTART's TZID, or the zone floating and all-day times are
   * read in. Messages show times in the feed's zone instead (`Reminder.timezone`).
   */
  timezone: string;
}

/** What `npm run occurrences` prints of an occurrence, as `occurrenceLine` writes it. */
export interface OccurrenceRecord {
  uid: string;
  summary: string;
  start: string;
  end: string;
  allDay: boolean;
  recurrenceId: string | null;
}

/**
 * One occurrence in the form `npm run occurrences` prints (see the README): timed `start` and `end`
 * in UTC with `Z`, all-day ones as days (`end` exclusive).
 */
export function occurrenceRecord(occurrence: Occurrence): OccurrenceRecord {
  const day = occurrence.day;
  return {
    uid: occurrence.uid,
    summary: occurrence.summary,
    start: occurrence.allDay && day ? day : formatInstant(occurrence.start),
    end:
      occurrence.allDay && day
        ? addDays(day, Math.max(1, Math.round((occurrence.end.getTime() - occurrence.start.getTime()) / 86_400_000)))
        : formatInstant(occurrence.end),
    allDay: occurrence.allDay,
    recurrenceId: occurrence.recurrenceId ?? null,
  };
}

/** `occurrenceRecord` as one JSON line. */
export function occurrenceLine(occurrence: Occurrence): string {
  return JSON.stringify(occurrenceRecord(occurrence));
}

import type { Occurrence } from "../calendar/occurrence.ts";

/** A reminder of one occurrence, due at a given instant, for one feed's webhook. */
export interface Reminder {
  /**
   * Stable identity across runs: feed, UID, occurrence start and lead. The ledger claims it, so the
   * same reminder is never posted twice; a moved occurrence gets a new id and a new reminder.
   */
  id: string;
  feedId: string;
  /** The feed's display name. */
  feedName: string;
  /** Name of the webhook it goes to. */
  webhook: string;
  /**
   * The zone its start is written in, in the message's plain-text fallback: the feed's
   * `timezone` (the README's Configuration table: "how times are shown"), not the zone of the event's DTSTART.
   */
  timezone: string;
  occurrence: Occurrence;
  /** Minutes before the start; `undefined` for an all-day reminder sent at `allDay.at`. */
  leadMinutes: number | undefined;
  dueAt: Date;
}

/**
 * The occurrence a reminder is of: feed, UID and start. Several reminders of one occurrence (two
 * lead times due in one run, or a catch-up beside a current one) are shown as one entry.
 */
export function occurrenceKey(reminder: Pick<Reminder, "feedId" | "occurrence">): string {
  return `${reminder.feedId}#${reminder.occurrence.uid}#${reminder.occurrence.start.toISOString()}`;
}

/** The ledger identity of a reminder. */
export function reminderId(feedId: string, occurrence: Pick<Occurrence, "uid" | "start">, leadMinutes: number | undefined): string {
  const lead = leadMinutes === undefined ? "all-day" : `${leadMinutes}m`;
  return `${feedId}#${occurrence.uid}#${occurrence.start.toISOString()}#${lead}`;
}

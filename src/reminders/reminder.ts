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
  occurrence: Occurrence;
  /** Minutes before the start; `undefined` for an all-day reminder sent at `allDay.at`. */
  leadMinutes: number | undefined;
  dueAt: Date;
}

/** The ledger identity of a reminder. */
export function reminderId(
  feedId: string,
  occurrence: Pick<Occurrence, "uid" | "start">,
  leadMinutes: number | undefined,
): string {
  const lead = leadMinutes === undefined ? "all-day" : `${leadMinutes}m`;
  return `${feedId}#${occurrence.uid}#${occurrence.start.toISOString()}#${lead}`;
}

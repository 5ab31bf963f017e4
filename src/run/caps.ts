import type { Reminder } from "../reminders/reminder.ts";

/** How many reminders one run sends at most: no team meets these; a runaway rule does. */
export interface ReminderLimits {
  /** Per feed per run. */
  perFeed: number;
  /** Per run, all feeds together. */
  perRun: number;
}

export const DEFAULT_REMINDER_LIMITS: ReminderLimits = { perFeed: 50, perRun: 2_000 };

/** Reminders a limit kept out of a run, for the one report about them. */
export interface Excess {
  dropped: number;
  /** Which limit it was, as the user configures it. */
  limit: "remindersPerFeed" | "remindersPerRun";
  max: number;
  /** The event title with the most reminders among those dropped, and how many it had. */
  top: { summary: string; count: number };
}

/**
 * Keeps each feed, and the run as a whole, within its reminder limits. A feed of four
 * `FREQ=SECONDLY` events would otherwise post hundreds of reminders a run, each one a line of a
 * message, and every message costs Slack's rate limit for everyone on the webhook. Reminders
 * arrive in due order, so the earliest are the ones kept.
 */
export class ReminderCaps {
  readonly #limits: ReminderLimits;
  #admitted = 0;

  constructor(limits: ReminderLimits = DEFAULT_REMINDER_LIMITS) {
    this.#limits = limits;
  }

  /** Splits one feed's reminders into those sent and the excess, which is described once. */
  admit(reminders: Reminder[]): { kept: Reminder[]; excess: Excess | undefined } {
    const { perFeed, perRun } = this.#limits;
    const room = Math.max(0, perRun - this.#admitted);
    const take = Math.min(reminders.length, perFeed, room);
    const kept = reminders.slice(0, take);
    this.#admitted += take;
    if (take === reminders.length) return { kept, excess: undefined };
    const dropped = reminders.slice(take);
    const limit = take === perFeed && perFeed <= room ? "remindersPerFeed" : "remindersPerRun";
    return {
      kept,
      excess: { dropped: dropped.length, limit, max: limit === "remindersPerFeed" ? perFeed : perRun, top: busiest(dropped) },
    };
  }
}

function busiest(reminders: readonly Reminder[]): { summary: string; count: number } {
  const counts = new Map<string, number>();
  let top = { summary: "", count: 0 };
  for (const reminder of reminders) {
    // By title: what the user recognises, and what a runaway series or a generated flood shares.
    const key = reminder.occurrence.summary || reminder.occurrence.uid;
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    if (count > top.count) top = { summary: reminder.occurrence.summary || reminder.occurrence.uid, count };
  }
  return top;
}

/** The result's words for an excess. */
export function describeExcess(excess: Excess, total: number): string {
  const title = excess.top.summary.length > 80 ? `${excess.top.summary.slice(0, 79)}…` : excess.top.summary;
  const scope = excess.limit === "remindersPerFeed" ? "per feed" : "for the whole run";
  return (
    `${total} reminders due, more than the limit of ${excess.max} ${scope}: ${excess.dropped} not sent ` +
    `(most of them from "${title}", ${excess.top.count}); check the feed for a runaway repeating event, ` +
    `or raise limits.${excess.limit}`
  );
}

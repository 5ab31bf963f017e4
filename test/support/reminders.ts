import type { Occurrence } from "../../src/calendar/occurrence.ts";
import type { Reminder } from "../../src/reminders/reminder.ts";
import { reminderId } from "../../src/reminders/reminder.ts";
import { occurrence } from "./builders.ts";

/** A reminder of a timed occurrence, 10 minutes ahead; override what the test is about. */
export function reminder(
  overrides: Partial<Occurrence> & { start: Date },
  feed: { id?: string; name?: string; webhook?: string; timezone?: string } = {},
): Reminder {
  const o = occurrence(overrides);
  const feedId = feed.id ?? "team";
  return {
    id: reminderId(feedId, o, 10),
    feedId,
    feedName: feed.name ?? "Team",
    webhook: feed.webhook ?? "team",
    timezone: feed.timezone ?? "UTC",
    occurrence: o,
    leadMinutes: 10,
    dueAt: new Date(o.start.getTime() - 10 * 60_000),
  };
}

/** `count` reminders of distinct events of one feed, a minute apart from `start`. */
export function reminders(count: number, start: Date, feed: { id?: string; name?: string } = {}): Reminder[] {
  return Array.from({ length: count }, (_, i) =>
    reminder({ uid: `event-${i}@${feed.id ?? "team"}`, summary: `Meeting ${i + 1}`, start: new Date(start.getTime() + i * 60_000) }, feed),
  );
}

import type { Occurrence } from "../calendar/occurrence.ts";
import { parseDay, wallClockToInstant } from "../calendar/wall-clock.ts";
import { MINUTE_MS } from "./durations.ts";
import type { Feed } from "./feed.ts";
import { type Reminder, reminderId } from "./reminder.ts";
import { inWindow, type TimeWindow } from "./window.ts";

/** An all-day reminder is due within its first day, whose length is at most 25 hours (DST). */
const DAY_SPAN_MS = 25 * 60 * MINUTE_MS;

/** What a feed needs from its calendar: the `Feed` fields that decide which reminders are due. */
export type ReminderRules = Pick<Feed, "id" | "name" | "webhook" | "leadMinutes" | "timezone" | "include" | "exclude" | "allDay">;

/**
 * The span of occurrence starts that can have a reminder due in `window`: a lead moves a reminder
 * before its start, and an all-day reminder falls within its first day.
 */
export function occurrenceRange(window: TimeWindow, rules: ReminderRules): TimeWindow {
  const longestLead = Math.max(0, ...rules.leadMinutes) * MINUTE_MS;
  return {
    from: new Date(window.from.getTime() - DAY_SPAN_MS),
    to: new Date(window.to.getTime() + longestLead),
  };
}

/** True when a feed's `include`/`exclude` patterns let the occurrence through (digests use it too). */
export function wanted(occurrence: Occurrence, rules: Pick<ReminderRules, "include" | "exclude">): boolean {
  if (rules.include && !rules.include.test(occurrence.summary)) return false;
  if (rules.exclude?.test(occurrence.summary)) return false;
  return true;
}

/** When an all-day occurrence is reminded: `allDay.at`, local time, on its first day. */
export function allDayDueAt(occurrence: Occurrence, rules: ReminderRules): Date {
  const [hour, minute] = rules.allDay.at.split(":").map(Number) as [number, number];
  return wallClockToInstant({ ...parseDay(occurrence.day ?? ""), hour, minute }, occurrence.timezone || rules.timezone);
}

export interface DueOptions {
  /**
   * Leave out reminders whose occurrence has started at or before this instant: catching up on a
   * missed reminder is only useful while its event is still ahead.
   */
  notStartedBy?: Date;
}

/**
 * The reminders due in `window` for the given occurrences of one feed: one per lead time for a
 * timed occurrence, one at `allDay.at` for an all-day one. Sorted by due time, then start.
 */
export function dueReminders(
  occurrences: readonly Occurrence[],
  rules: ReminderRules,
  window: TimeWindow,
  options: DueOptions = {},
): Reminder[] {
  const reminders: Reminder[] = [];
  const add = (occurrence: Occurrence, leadMinutes: number | undefined, dueAt: Date) => {
    if (!inWindow(dueAt, window)) return;
    if (options.notStartedBy && occurrence.start <= options.notStartedBy) return;
    reminders.push({
      id: reminderId(rules.id, occurrence, leadMinutes),
      feedId: rules.id,
      feedName: rules.name,
      webhook: rules.webhook,
      timezone: rules.timezone,
      occurrence,
      leadMinutes,
      dueAt,
    });
  };
  for (const occurrence of occurrences) {
    if (!wanted(occurrence, rules)) continue;
    if (occurrence.allDay) {
      if (rules.allDay.remind) add(occurrence, undefined, allDayDueAt(occurrence, rules));
      continue;
    }
    for (const lead of rules.leadMinutes) {
      add(occurrence, lead, new Date(occurrence.start.getTime() - lead * MINUTE_MS));
    }
  }
  return reminders.sort(
    (a, b) =>
      a.dueAt.getTime() - b.dueAt.getTime() || a.occurrence.start.getTime() - b.occurrence.start.getTime() || a.id.localeCompare(b.id),
  );
}

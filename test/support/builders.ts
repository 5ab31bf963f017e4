import type { Occurrence } from "../../src/calendar/occurrence.ts";
import type { ReminderRules } from "../../src/reminders/due.ts";

/** An occurrence with sensible defaults; override what the test is about. */
export function occurrence(overrides: Partial<Occurrence> & { start: Date }): Occurrence {
  return {
    uid: "event@test",
    summary: "Event",
    description: undefined,
    location: undefined,
    url: undefined,
    end: new Date(overrides.start.getTime() + 30 * 60_000),
    allDay: false,
    day: undefined,
    recurrenceId: undefined,
    status: undefined,
    timezone: "UTC",
    ...overrides,
  };
}

/** Reminder rules of a feed with sensible defaults. */
export function rules(overrides: Partial<ReminderRules> = {}): ReminderRules {
  return {
    id: "team",
    name: "Team",
    webhook: "team",
    leadMinutes: [10],
    timezone: "UTC",
    include: undefined,
    exclude: undefined,
    allDay: { remind: true, at: "09:00" },
    ...overrides,
  };
}

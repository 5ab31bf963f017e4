import { MINUTE_MS } from "./durations.ts";

/** A half-open span of time `[from, to)`. */
export interface TimeWindow {
  from: Date;
  to: Date;
}

/** Floors an instant to the whole minute. */
export function floorToMinute(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / MINUTE_MS) * MINUTE_MS);
}

/**
 * The reminders a run sends are those due in `[t, t + scheduleMinutes)`, `t` being the run's
 * reference time floored to the minute. Runs `scheduleMinutes` apart therefore tile time: each
 * minute belongs to exactly one run, so nothing is sent twice and nothing falls between two runs.
 */
export function dueWindow(reference: Date, scheduleMinutes: number): TimeWindow {
  const from = floorToMinute(reference);
  return { from, to: new Date(from.getTime() + scheduleMinutes * MINUTE_MS) };
}

/** True when `instant` lies in `[window.from, window.to)`. */
export function inWindow(instant: Date, window: TimeWindow): boolean {
  return instant >= window.from && instant < window.to;
}

/** Milliseconds in a minute: lead times, schedules and catch-up spans are written in minutes. */
export const MINUTE_MS = 60_000;

/** Milliseconds in 24 hours: the spans agendas and notices look ahead by (not a calendar day, which DST lengthens or shortens). */
export const DAY_MS = 24 * 60 * MINUTE_MS;

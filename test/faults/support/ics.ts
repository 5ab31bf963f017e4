/** The reference time of every case's run: reminders due in [14:50, 14:55) go out. */
export const REFERENCE = new Date("2026-03-12T14:50:00Z");

/** With the default lead of 10 minutes, an event starting in [15:00, 15:05) is due in the run. */
export const WINDOW_START = new Date("2026-03-12T15:00:00Z");

/** `WINDOW_START` plus `seconds`, as an iCalendar UTC date-time (`20260312T150006Z`). */
export function icsTime(seconds: number, from: Date = WINDOW_START): string {
  return new Date(from.getTime() + seconds * 1000)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** `WINDOW_START` plus `seconds`, as a Date. */
export function windowTime(seconds: number): Date {
  return new Date(WINDOW_START.getTime() + seconds * 1000);
}

/** One VEVENT from its property lines (`["UID:x", "SUMMARY:y", …]`). */
export function vevent(lines: readonly string[]): string[] {
  return ["BEGIN:VEVENT", ...lines, "END:VEVENT"];
}

/** A calendar of `components` (each a list of lines), CRLF-terminated as RFC 5545 asks. */
export function calendarOf(components: readonly (readonly string[])[], head: readonly string[] = []): string {
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//ical-slack-reminder//fault suite//EN",
    ...head,
    ...components.flat(),
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}

/** A timed event starting `seconds` after `WINDOW_START`, lasting 15 minutes. */
export function eventAt(uid: string, summary: string, seconds: number, extra: readonly string[] = []): string[] {
  return vevent([
    `UID:${uid}`,
    "DTSTAMP:20260301T000000Z",
    `DTSTART:${icsTime(seconds)}`,
    "DURATION:PT15M",
    `SUMMARY:${summary}`,
    ...extra,
  ]);
}

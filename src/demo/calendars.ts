import { Temporal } from "temporal-polyfill";

/** The demo's calendars, as .ics text keyed by file name. */
export type DemoCalendars = Record<string, string>;

function local(zoned: Temporal.ZonedDateTime): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${zoned.year}${p(zoned.month)}${p(zoned.day)}T${p(zoned.hour)}${p(zoned.minute)}00`;
}

function day(date: Temporal.PlainDate): string {
  return date.toString().replaceAll("-", "");
}

const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

function calendar(name: string, zone: string, events: string[]): string {
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//ical-slack-reminder//demo//EN",
    `X-WR-CALNAME:${name}`,
    `X-WR-TIMEZONE:${zone}`,
    ...events,
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}

/**
 * Calendars whose events are due around `now`, so that a run at `now` with a ten-minute lead has
 * something to say: a daily standup, a meeting in about ten minutes, an all-day event today, and a
 * weekly series with today's occurrence moved and next week's cancelled. With `changed: false`,
 * the calendars as they were before that move and cancellation, for a first read that change
 * notices compare the second with.
 */
export function demoCalendars(now: Date, zone: string, { changed = true }: { changed?: boolean } = {}): DemoCalendars {
  const t = Temporal.Instant.fromEpochMilliseconds(now.getTime())
    .toZonedDateTimeISO(zone)
    .round({ smallestUnit: "minute", roundingMode: "floor" });
  const at = (minutes: number, days = 0) => local(t.add({ days }).add({ minutes }));
  const today = t.toPlainDate();
  // The series' weekday is that of its instance 90 minutes ahead, which may be tomorrow's.
  const weekday = WEEKDAYS[t.add({ minutes: 90 }).dayOfWeek - 1];
  const stamp = `DTSTAMP:${local(t.withTimeZone("UTC"))}Z`;
  const tz = `TZID=${zone}`;

  const team = calendar("Team", zone, [
    "BEGIN:VEVENT",
    "UID:standup@demo",
    stamp,
    `DTSTART;${tz}:${at(12, -14)}`,
    `DTEND;${tz}:${at(27, -14)}`,
    "RRULE:FREQ=DAILY",
    "SUMMARY:Daily standup",
    "LOCATION:https://meet.google.com/abc-defg-hij",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "UID:review@demo",
    stamp,
    `DTSTART;${tz}:${at(11)}`,
    `DTEND;${tz}:${at(41)}`,
    "SUMMARY:Design review <!channel> & friends",
    "DESCRIPTION:Walk through the new onboarding flow. Bring questions.",
    "LOCATION:Room 4.01",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "UID:offsite@demo",
    stamp,
    `DTSTART;VALUE=DATE:${day(today)}`,
    `DTEND;VALUE=DATE:${day(today.add({ days: 2 }))}`,
    "SUMMARY:Team offsite",
    "END:VEVENT",
  ]);

  const series = [
    "BEGIN:VEVENT",
    "UID:planning@demo",
    stamp,
    `DTSTART;${tz}:${at(90, -21)}`,
    `DTEND;${tz}:${at(150, -21)}`,
    `RRULE:FREQ=WEEKLY;BYDAY=${weekday}`,
    ...(changed ? [`EXDATE;${tz}:${at(90, 7)}`] : []),
    "SUMMARY:Sprint planning",
    "END:VEVENT",
  ];
  const moved = [
    "BEGIN:VEVENT",
    "UID:planning@demo",
    stamp,
    `RECURRENCE-ID;${tz}:${at(90)}`,
    `DTSTART;${tz}:${at(13)}`,
    `DTEND;${tz}:${at(73)}`,
    "SUMMARY:Sprint planning (moved earlier today)",
    "LOCATION:https://zoom.us/j/123456789",
    "SEQUENCE:1",
    "END:VEVENT",
  ];
  const planning = calendar("Planning", zone, changed ? [...series, ...moved] : series);

  return { "team.ics": team, "planning.ics": planning };
}

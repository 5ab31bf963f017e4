import { readFileSync } from "node:fs";
import { type Expansion, expandCalendar, occurrencesOf, parseCalendar } from "../../src/calendar/expand.ts";
import type { Occurrence } from "../../src/calendar/occurrence.ts";
import type { FeedInput } from "../../src/calendar/octets.ts";
import { formatInstant } from "../../src/calendar/wall-clock.ts";

/** The text of a calendar fixture in `test/fixtures/calendar/`. */
export function calendarFixture(name: string): string {
  return readFileSync(new URL(`../fixtures/calendar/${name}`, import.meta.url), "utf8");
}

/** Expands a fixture over `[from, to)` with `timezone` as the configured zone. */
export function expandFixture(name: string, from: string, to: string, timezone = "UTC"): Expansion {
  return expandCalendar(calendarFixture(name), { from: new Date(from), to: new Date(to), timezone });
}

/**
 * The occurrences of a fixture as `start uid`, start in UTC (`…Z`) or the day of an all-day one:
 * short enough to write the expected values out by hand.
 */
export function startsOf(name: string, from: string, to: string, timezone = "UTC"): string[] {
  return expandFixture(name, from, to, timezone).occurrences.map((o) => `${o.allDay ? o.day : formatInstant(o.start)} ${o.uid}`);
}

/** A feed as the fetcher hands it over (text, or UTF-8 bytes) as text: what it says, to compare. */
export function feedText(feed: FeedInput): string {
  return typeof feed === "string" ? feed : new TextDecoder().decode(feed);
}

/** A VTIMEZONE block of a zone fixed at +01:00 since 1970, under a TZID no runtime knows. */
export function fixedZoneBlock(tzid: string): string[] {
  return [
    "BEGIN:VTIMEZONE",
    `TZID:${tzid}`,
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0100",
    "END:STANDARD",
    "END:VTIMEZONE",
  ];
}

/** A calendar of one VEVENT per `[uid, DTSTART, RRULE]`, lines ending in CRLF as feeds write them. */
export function ruleCalendar(events: readonly (readonly [uid: string, dtstart: string, rule: string])[]): string {
  const vevents = events.flatMap(([uid, dtstart, rule]) => [
    "BEGIN:VEVENT",
    `UID:${uid}`,
    `DTSTART:${dtstart}`,
    `RRULE:${rule}`,
    "END:VEVENT",
  ]);
  return ["BEGIN:VCALENDAR", ...vevents, "END:VCALENDAR", ""].join("\r\n");
}

/** A calendar's text read, then expanded over `[from, to)` in UTC: what the reading warned of, and the occurrences. */
export function readAndExpand(ics: string, from: string, to: string): { warnings: string[]; occurrences: Occurrence[] } {
  const calendar = parseCalendar(ics);
  const { occurrences } = occurrencesOf(calendar, { from: new Date(from), to: new Date(to), timezone: "UTC" });
  return { warnings: calendar.warnings, occurrences };
}

import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MAX_OCCURRENCES, occurrencesOf, parseCalendar } from "../../src/calendar/expand.ts";
import { CalendarError } from "../../src/errors.ts";
import { calendarFixture } from "../support/calendar.ts";
import { prng } from "../support/prng.ts";

const CASES = 400;

describe("random and mutated calendars", () => {
  const random = prng(20260312);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const int = (n: number) => Math.floor(random() * n);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");

  const dates = () =>
    pick([
      `${1990 + int(50)}${pad(1 + int(12))}${pad(1 + int(28))}`,
      `${1990 + int(50)}${pad(1 + int(12))}${pad(1 + int(28))}T${pad(int(24))}${pad(int(60))}00${pick(["", "Z"])}`,
      `${int(99999)}${pad(int(99))}${pad(int(99))}T${pad(int(99))}`,
      pick(["", "0", "garbage", "20260230", "20261301T250000", "16010101T000000", "99991231T235959Z"]),
    ]);
  const zones = ["Europe/Berlin", "Tokyo Standard Time", "Customized Time Zone", "Not/AZone", "(UTC+05:30) Chennai", "", "UTC"];
  const ruleParts = () =>
    Array.from({ length: 1 + int(5) }, () =>
      pick([
        `FREQ=${pick(["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY", "NEVER"])}`,
        `INTERVAL=${pick(["0", "1", "2", "-3", "x", "1000000"])}`,
        `COUNT=${pick(["1", "5", "0", "999999999", "-1"])}`,
        `UNTIL=${dates()}`,
        `BYDAY=${pick(["MO", "-1FR", "2TU,SU", "XX", "53MO", "0MO"])}`,
        `BYMONTHDAY=${pick(["1", "-1", "31", "0", "40"])}`,
        `BYSETPOS=${pick(["1", "-1", "400", "0"])}`,
        `BYMONTH=${pick(["2", "13", "0", "1,6"])}`,
        `BYWEEKNO=${pick(["1", "-1", "53", "54"])}`,
        `BYHOUR=${pick(["0,12", "25", "1,2,3"])}`,
        `WKST=${pick(["MO", "SU", "XX"])}`,
        "",
      ]),
    ).join(";");
  const properties = () =>
    pick([
      `DTSTART:${dates()}`,
      `DTSTART;TZID=${pick(zones)}:${dates()}`,
      `DTSTART;VALUE=DATE:${dates()}`,
      `DTEND:${dates()}`,
      `DURATION:${pick(["PT1H", "P1D", "PT1W", "P", "-PT5M", "P1M", "PTX"])}`,
      `RRULE:${ruleParts()}`,
      `EXDATE:${dates()},${dates()}`,
      `RDATE;VALUE=PERIOD:${dates()}/${pick([dates(), "PT1H", "P"])}`,
      `RECURRENCE-ID${pick(["", ";RANGE=THISANDFUTURE", ";TZID=Europe/Berlin"])}:${dates()}`,
      `SEQUENCE:${pick(["0", "1", "x", "-5", "99999999999"])}`,
      `STATUS:${pick(["CANCELLED", "CONFIRMED", "", "TENTATIVE"])}`,
      `UID:${pick(["a", "b", "", "same"])}`,
      `SUMMARY:${pick(["x", "a\\, b\\; c\\n", "", "é🎉"])}`,
      pick(["BEGIN:VEVENT", "END:VEVENT", "BEGIN:VTIMEZONE", "END:VTIMEZONE", "BEGIN:STANDARD", "END:STANDARD", "END:VCALENDAR"]),
      `TZOFFSETFROM:${pick(["+0100", "-0530", "bad"])}`,
      `TZID:${pick(zones)}`,
      pick([" folded continuation", ";;;", ":", "X-WR-TIMEZONE:Asia/Tokyo", "X-WR-TIMEZONE:nowhere"]),
    ]);
  const generated = () => {
    const lines = ["BEGIN:VCALENDAR"];
    for (let e = int(6); e >= 0; e--) {
      lines.push("BEGIN:VEVENT", `UID:${pick(["a", "b", "c"])}`, `DTSTART:${dates()}`);
      for (let p = int(8); p >= 0; p--) lines.push(properties());
      lines.push("END:VEVENT");
    }
    lines.push("END:VCALENDAR");
    return lines.join(pick(["\r\n", "\n"]));
  };
  const fixtures = readdirSync(new URL("../fixtures/calendar/", import.meta.url))
    .filter((f) => f.endsWith(".ics"))
    .map((f) => calendarFixture(f));
  const mutated = () => {
    const lines = pick(fixtures).split(/\r?\n/);
    for (let m = 1 + int(4); m > 0; m--) {
      const at = int(lines.length);
      switch (int(5)) {
        case 0:
          lines.splice(at, 1);
          break;
        case 1:
          lines.splice(at, 0, lines[int(lines.length)] ?? "");
          break;
        case 2:
          lines.splice(at, 0, properties());
          break;
        case 3: {
          const line = lines[at] ?? "";
          const c = int(line.length + 1);
          lines[at] = line.slice(0, c) + pick([":", ";", "=", "\\", '"', "9", "T", "Z", ""]) + line.slice(c + 1);
          break;
        }
        default:
          lines.length = Math.max(1, at);
      }
    }
    return lines.join("\r\n");
  };

  /** A third of the cases go in as the engine gets a download: UTF-8 bytes, some of them broken. */
  const asBytes = (ics: string): Uint8Array => {
    const bytes = [...Buffer.from(ics)];
    for (let n = int(4); n > 0; n--) bytes.splice(int(bytes.length + 1), 0, pick([0xc3, 0xe2, 0x80, 0xa0, 0xff, 0xef]));
    return Uint8Array.from(bytes);
  };

  it(`neither crash nor run away on ${CASES} seeded cases: only CalendarError, bounded output`, () => {
    // Prepare
    const inputs = Array.from({ length: CASES }, (_, i) => (i % 2 === 0 ? mutated() : generated()));

    // Act
    const failures: string[] = [];
    let expanded = 0;
    for (const [i, ics] of inputs.entries()) {
      const feed = i % 3 === 0 ? asBytes(ics) : ics;
      const from = new Date(Date.UTC(1995 + int(40), int(12), 1 + int(28)));
      const to = new Date(from.getTime() + pick([5 * 60_000, 86_400_000, 30 * 86_400_000, 400 * 86_400_000]));
      try {
        const { occurrences, warnings } = occurrencesOf(parseCalendar(feed, i % 4 === 0 ? { horizon: { from, to } } : {}), {
          from,
          to,
          timezone: pick(["UTC", "America/New_York"]),
        });
        expanded++;
        if (occurrences.length > MAX_OCCURRENCES) failures.push(`${occurrences.length} occurrences`);
        if (occurrences.some((o) => o.start < from || o.start >= to)) failures.push("occurrence outside the window");
        if (!Array.isArray(warnings)) failures.push("no warnings list");
      } catch (error) {
        if (!(error instanceof CalendarError)) failures.push(`${(error as Error).stack}\n--- input ---\n${ics}`);
      }
    }

    // Assess
    expect(failures).toEqual([]);
    expect(expanded).toBeGreaterThan(CASES / 2);
  });
});

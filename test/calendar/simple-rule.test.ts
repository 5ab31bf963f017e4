import { describe, expect, it, vi } from "vitest";
import type * as Expand from "../../src/calendar/expand.ts";
import { prng } from "../support/prng.ts";

// Plain daily and weekly rules are expanded by day arithmetic (src/calendar/simple-rule.ts), the
// rest by rrule-temporal. Both must give the same set: seeded rules of that kind, in every sort of
// zone (DST gaps at the rule's time of day included), with and without UNTIL, over seeded windows,
// expanded with the arithmetic and again with it switched off.

const CUSTOM_ZONE = [
  "BEGIN:VTIMEZONE",
  "TZID:Customized Time Zone",
  "BEGIN:STANDARD",
  "DTSTART:16010101T030000",
  "TZOFFSETFROM:+0200",
  "TZOFFSETTO:+0100",
  "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
  "END:STANDARD",
  "BEGIN:DAYLIGHT",
  "DTSTART:16010101T020000",
  "TZOFFSETFROM:+0100",
  "TZOFFSETTO:+0200",
  "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
  "END:DAYLIGHT",
  "END:VTIMEZONE",
];

const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const pad = (n: number) => String(n).padStart(2, "0");

function seededCalendar(seed: number): string {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const events: string[] = [];
  for (let i = 0; i < 40; i++) {
    const year = 2018 + Math.floor(random() * 9);
    const date = `${year}${pad(1 + Math.floor(random() * 12))}${pad(1 + Math.floor(random() * 28))}`;
    // 02:30 falls in a spring-forward gap in Berlin and New York, 02:15 in Lord Howe's.
    const time = pick(["T090000", "T023000", "T021500", "T000000", "T233000", "T170500"]);
    const kind = pick(["utc", "berlin", "new-york", "lord-howe", "floating", "custom", "date"]);
    const start =
      kind === "date"
        ? `DTSTART;VALUE=DATE:${date}`
        : kind === "utc"
          ? `DTSTART:${date}${time}Z`
          : kind === "floating"
            ? `DTSTART:${date}${time}`
            : `DTSTART;TZID=${{ berlin: "Europe/Berlin", "new-york": "America/New_York", "lord-howe": "Australia/Lord_Howe", custom: "Customized Time Zone" }[kind]}:${date}${time}`;
    const parts = [`FREQ=${pick(["DAILY", "WEEKLY"])}`];
    if (random() < 0.5) parts.push(`INTERVAL=${1 + Math.floor(random() * 4)}`);
    if (random() < 0.5) parts.push(`WKST=${pick(WEEKDAYS)}`);
    if (random() < 0.6) parts.push(`BYDAY=${WEEKDAYS.filter(() => random() < 0.4).join(",") || "TU"}`);
    if (random() < 0.2) parts.push(`BYMONTH=${1 + Math.floor(random() * 12)},${1 + Math.floor(random() * 12)}`);
    if (random() < 0.3) parts.push(`COUNT=${1 + Math.floor(random() * (random() < 0.5 ? 20 : 3_000))}`);
    else if (random() < 0.5) {
      const until = `${year + Math.floor(random() * 8)}${pad(1 + Math.floor(random() * 12))}${pad(1 + Math.floor(random() * 28))}`;
      parts.push(`UNTIL=${pick([`${until}T120000Z`, until, `${until}T020000`])}`);
    }
    events.push(["BEGIN:VEVENT", `UID:s${i}`, `SUMMARY:Series ${i}`, start, `RRULE:${parts.join(";")}`, "END:VEVENT"].join("\r\n"));
  }
  return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//simple//EN", ...CUSTOM_ZONE, ...events, "END:VCALENDAR", ""].join("\r\n");
}

function seededWindows(seed: number): { from: Date; to: Date }[] {
  const random = prng(seed);
  return Array.from({ length: 6 }, () => {
    const from = Date.UTC(
      2019 + Math.floor(random() * 9),
      Math.floor(random() * 12),
      1 + Math.floor(random() * 28),
      Math.floor(random() * 24),
    );
    return { from: new Date(from), to: new Date(from + (1 + Math.floor(random() * 40 * 24)) * 3_600_000) };
  });
}

async function engine(simple: boolean): Promise<typeof Expand> {
  vi.resetModules();
  if (simple) vi.doUnmock("../../src/calendar/simple-rule.ts");
  else vi.doMock("../../src/calendar/simple-rule.ts", async (original) => ({ ...(await original()), simpleRuleOf: () => undefined }));
  return import("../../src/calendar/expand.ts");
}

describe("plain daily and weekly rules by day arithmetic", () => {
  it("give what rrule-temporal gives, for 30 seeded calendars of 40 rules over 6 windows each", async () => {
    const fast = await engine(true);
    const general = await engine(false);
    let compared = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const text = seededCalendar(seed);
      const a = fast.parseCalendar(text);
      const b = general.parseCalendar(text);
      for (const window of seededWindows(seed)) {
        const options = { ...window, timezone: "Europe/Berlin" };
        const ours = fast.occurrencesOf(a, options).occurrences.map((o) => `${o.uid} ${o.start.toISOString()} ${o.recurrenceId}`);
        const theirs = general.occurrencesOf(b, options).occurrences.map((o) => `${o.uid} ${o.start.toISOString()} ${o.recurrenceId}`);
        expect(ours, `seed ${seed}, ${window.from.toISOString()}`).toEqual(theirs);
        compared += ours.length;
      }
    }
    expect(compared).toBeGreaterThan(5_000);
  });

  it("expands a rule of the first century on its own dates, as rrule-temporal does", async () => {
    // Prepare: Date.UTC reads the years 0–99 as 1900–1999, which once put these instances, and the
    // second series' UNTIL, in 1950
    const text = [
      "BEGIN:VCALENDAR",
      "BEGIN:VEVENT",
      "UID:old",
      "DTSTART:00500101T100000Z",
      "RRULE:FREQ=DAILY",
      "END:VEVENT",
      "BEGIN:VEVENT",
      "UID:ended",
      "DTSTART:00500101T110000Z",
      "RRULE:FREQ=DAILY;UNTIL=00500105T235959Z",
      "END:VEVENT",
      "END:VCALENDAR",
    ].join("\r\n");
    const from = new Date(0);
    from.setUTCFullYear(50, 0, 5);
    const window = { from, to: new Date(from.getTime() + 2 * 86_400_000), timezone: "UTC" };

    // Act
    const starts = async (simple: boolean) => {
      const { occurrencesOf, parseCalendar } = await engine(simple);
      return occurrencesOf(parseCalendar(text), window).occurrences.map((o) => `${o.uid} ${o.start.toISOString()}`);
    };

    // Assess
    const expected = ["old 0050-01-05T10:00:00.000Z", "ended 0050-01-05T11:00:00.000Z", "old 0050-01-06T10:00:00.000Z"];
    expect(await starts(true)).toEqual(expected);
    expect(await starts(false)).toEqual(expected);
  });

  it("does not count an instance a DST gap skips, so COUNT ends one day later", async () => {
    // Prepare: 02:30 does not exist in Berlin on 2026-03-29 (clocks go from 02:00 to 03:00)
    const event = (uid: string, start: string, rule: string) =>
      ["BEGIN:VEVENT", `UID:${uid}`, "SUMMARY:Night job", `DTSTART;TZID=Europe/Berlin:${start}`, `RRULE:${rule}`, "END:VEVENT"].join(
        "\r\n",
      );
    const text = [
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "PRODID:-//test//gap//EN",
      event("daily", "20260320T023000", "FREQ=DAILY;COUNT=15"),
      event("weekly", "20260315T023000", "FREQ=WEEKLY;BYDAY=SU;COUNT=3"),
      "END:VCALENDAR",
      "",
    ].join("\r\n");
    const window = { from: new Date("2026-03-28T00:00:00Z"), to: new Date("2026-04-10T00:00:00Z"), timezone: "UTC" };

    // Act
    const starts = async (simple: boolean) => {
      const { occurrencesOf, parseCalendar } = await engine(simple);
      return occurrencesOf(parseCalendar(text), window).occurrences.map((o) => `${o.uid} ${o.start.toISOString().slice(0, 16)}`);
    };

    // Assess: 20–28 March and 30 March–4 April are fifteen; Sundays 15 and 22 March and 5 April are three
    const expected = [
      "daily 2026-03-28T01:30",
      "daily 2026-03-30T00:30",
      "daily 2026-03-31T00:30",
      "daily 2026-04-01T00:30",
      "daily 2026-04-02T00:30",
      "daily 2026-04-03T00:30",
      "daily 2026-04-04T00:30",
      "weekly 2026-04-05T00:30",
    ];
    expect(await starts(true)).toEqual(expected);
    expect(await starts(false)).toEqual(expected);
  });
});

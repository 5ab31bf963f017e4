// A synthetic feed for the calendar benchmark: ~5 MB, 10,000 events, a few hundred recurring series
// in three zones, deterministic (seeded), so both libraries read exactly the same text.
import { prng } from "../test/support/prng.ts";

const VTIMEZONES = `BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE`;

const RULES = [
  "FREQ=DAILY",
  "FREQ=WEEKLY;BYDAY=MO,WE,FR",
  "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
  "FREQ=MONTHLY;BYDAY=-1FR",
  "FREQ=MONTHLY;BYMONTHDAY=12",
  "FREQ=DAILY;COUNT=500",
  "FREQ=WEEKLY;UNTIL=20261231T230000Z",
  "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=12",
];

const WORDS =
  "agenda review planning sync retro demo budget hiring roadmap incident design customer launch offsite training onboarding".split(
    " ",
  );

function fold(line: string): string {
  const out: string[] = [];
  for (let i = 0; i < line.length; i += 74) out.push((i === 0 ? "" : " ") + line.slice(i, i + 74));
  return out.join("\r\n");
}

/** The feed's text, and what it holds. */
export function benchmarkFeed(events = 10_000, series = 300): { ics: string; events: number; series: number } {
  const random = prng(42);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  const pad = (n: number) => String(n).padStart(2, "0");
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//ical-slack-reminder//bench//EN", "X-WR-TIMEZONE:Europe/Berlin", VTIMEZONES];
  for (let i = 0; i < events; i++) {
    const recurring = i < series;
    // Single events spread over 2025–2027; series start in 2024–2026.
    const year = recurring ? 2024 + Math.floor(random() * 3) : 2025 + Math.floor(random() * 3);
    const month = 1 + Math.floor(random() * 12);
    const day = 1 + Math.floor(random() * 28);
    const hour = 7 + Math.floor(random() * 11);
    const stamp = `${year}${pad(month)}${pad(day)}T${pad(hour)}${pick(["00", "15", "30", "45"])}00`;
    const zone = pick(["Europe/Berlin", "America/New_York", "UTC"]);
    const start = zone === "UTC" ? `DTSTART:${stamp}Z` : `DTSTART;TZID=${zone}:${stamp}`;
    const words = Array.from({ length: 35 + Math.floor(random() * 20) }, () => pick(WORDS)).join(" ");
    lines.push(
      "BEGIN:VEVENT",
      `UID:bench-${i}@ical-slack-reminder`,
      "DTSTAMP:20260101T000000Z",
      start,
      `DURATION:PT${pick(["15M", "30M", "1H", "2H"])}`,
      `SUMMARY:${pick(WORDS)} ${pick(WORDS)} #${i}`,
      fold(`DESCRIPTION:${words}`),
      fold(`LOCATION:Room ${i % 40}\\, building ${i % 7}`),
    );
    if (recurring) lines.push(`RRULE:${RULES[i % RULES.length]}`);
    if (recurring && i % 3 === 0) lines.push(`EXDATE${zone === "UTC" ? "" : `;TZID=${zone}`}:${stamp}${zone === "UTC" ? "Z" : ""}`);
    lines.push("END:VEVENT");
  }
  lines.push("END:VCALENDAR");
  return { ics: `${lines.join("\r\n")}\r\n`, events, series };
}

// A generated export of a busy shared Google Calendar, for `npm run bench:calendar`: ten years of
// history (2016–2026), mostly past one-off events, a few hundred series of which most ended long ago
// (UNTIL and COUNT), live series with EXDATEs and RECURRENCE-ID overrides (some moved far into or
// out of the benchmark's window), all-day events, attendees, HTML descriptions with Meet blocks,
// VALARMs, non-ASCII text, Google's VTIMEZONE blocks for several zones, lines folded at 75 octets.
// Seeded: the same options give the same text, byte for byte.
import { prng } from "../test/support/prng.ts";

/** The day the benchmark expands: a Wednesday, the day after the export was taken. */
export const EXPORT_WINDOW = { from: new Date("2026-12-02T00:00:00Z"), to: new Date("2026-12-03T00:00:00Z") };

/** What a generated export holds, counted as it was written. */
export interface GoogleExport {
  ics: string;
  /** VEVENT components: one-off events, series and their overrides. */
  events: number;
  oneOffs: number;
  allDay: number;
  series: number;
  endedSeries: number;
  overrides: number;
}

export interface GoogleExportOptions {
  /** VEVENT components in all (default 6,000); a twentieth of them are series. */
  events?: number;
  seed?: number;
}

// Google writes these blocks (X-LIC-LOCATION and all) for every zone an event of the calendar uses.
const ZONES: Record<string, string[]> = {
  "Europe/Berlin": [
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:GMT+2",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:GMT+1",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
  ],
  "America/New_York": [
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:-0500",
    "TZOFFSETTO:-0400",
    "TZNAME:EDT",
    "DTSTART:19700308T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:-0400",
    "TZOFFSETTO:-0500",
    "TZNAME:EST",
    "DTSTART:19701101T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
    "END:STANDARD",
  ],
  "America/Los_Angeles": [
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:-0800",
    "TZOFFSETTO:-0700",
    "TZNAME:PDT",
    "DTSTART:19700308T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:-0700",
    "TZOFFSETTO:-0800",
    "TZNAME:PST",
    "DTSTART:19701101T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
    "END:STANDARD",
  ],
  "Asia/Kolkata": [
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0530",
    "TZOFFSETTO:+0530",
    "TZNAME:GMT+5:30",
    "DTSTART:19700101T000000",
    "END:STANDARD",
  ],
  "Asia/Tokyo": ["BEGIN:STANDARD", "TZOFFSETFROM:+0900", "TZOFFSETTO:+0900", "TZNAME:GMT+9", "DTSTART:19700101T000000", "END:STANDARD"],
  "Australia/Sydney": [
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+1100",
    "TZOFFSETTO:+1000",
    "TZNAME:GMT+10",
    "DTSTART:19700405T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU",
    "END:STANDARD",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+1000",
    "TZOFFSETTO:+1100",
    "TZNAME:GMT+11",
    "DTSTART:19701004T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU",
    "END:DAYLIGHT",
  ],
};
/** Minutes east of UTC outside summer time. */
const STANDARD_OFFSET: Record<string, number> = {
  "Europe/Berlin": 60,
  "America/New_York": -300,
  "America/Los_Angeles": -480,
  "Asia/Kolkata": 330,
  "Asia/Tokyo": 540,
  "Australia/Sydney": 600,
  UTC: 0,
};
// Most events are in the calendar's own zone; UTC ones are written with a trailing Z.
const EVENT_ZONES = [
  "Europe/Berlin",
  "Europe/Berlin",
  "Europe/Berlin",
  "Europe/Berlin",
  "America/New_York",
  "America/Los_Angeles",
  "Asia/Kolkata",
  "Asia/Tokyo",
  "Australia/Sydney",
  "UTC",
];

const PEOPLE = [
  "Anna Schmidt",
  "Jonas Weber",
  "Zoë Müller",
  "José Núñez",
  "Ünal Çelik",
  "Søren Østergaard",
  "Priya Raghunathan",
  "Emily Chen",
  "李雷",
  "Hana Tanaka",
  "Oliver Smith",
  "Chloé Lefèvre",
  "Mateusz Wójcik",
  "Ayşe Yılmaz",
  "Lucas Oliveira",
  "Fatima Al-Sayed",
  "Grace O'Brien",
  "Mikko Häkkinen",
  "Ivan Petrov",
  "Sara Lindqvist",
];
const TOPICS = [
  "Platform sync",
  "Roadmap review",
  "1:1",
  "Sprint planning",
  "Retro",
  "Design critique",
  "Incident review",
  "Hiring debrief",
  "Budget Q&A",
  "Customer call",
  "All hands",
  "Brown bag: Temporal",
  "Offsite prep",
  "Réunion d'équipe",
  "Café ☕ chat",
  "Arbeitstreffen Ökologie",
  "Security office hours",
  "Interview loop",
];
const ALL_DAY_TOPICS = ["Company holiday", "Offsite", "Conference", "Out of office", "Release freeze", "Hackathon 🚀"];
const ITEMS = [
  "status of the migration",
  "open incidents",
  "hiring, budget and headcount",
  "customer escalations",
  "the on-call rota",
  "next quarter's OKRs",
  "Ärger mit der Abrechnung",
  "demo of the new dashboard",
];
const MEET_LINE = "-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-";

/** RFC 5545 §3.1: content lines are folded at 75 octets, never inside a UTF-8 sequence. */
function fold(line: string): string {
  if (Buffer.byteLength(line) <= 75) return line;
  const parts: string[] = [];
  let current = "";
  let octets = 0;
  for (const char of line) {
    const code = char.codePointAt(0) as number;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    // Continuation lines begin with a space, which counts towards their 75.
    if (octets + size > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = "";
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join("\r\n ");
}

/** TEXT values: backslash, semicolon, comma and newline escaped (RFC 5545 §3.3.11). */
const text = (value: string) => value.replace(/([\\;,])/g, "\\$1").replace(/\n/g, "\\n");
const pad = (n: number) => String(n).padStart(2, "0");

/** A wall-clock time as a count of minutes since 1970-01-01 00:00, read in no zone. */
type Local = number;
const DAY = 1440;
const local = (y: number, m: number, d: number, h = 0, min = 0): Local => Date.UTC(y, m - 1, d, h, min) / 60_000;
const dateText = (t: Local) => {
  const d = new Date(t * 60_000);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
};
const dateTimeText = (t: Local) => {
  const d = new Date(t * 60_000);
  return `${dateText(t)}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}00`;
};
const WEEKDAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];
const weekday = (t: Local) => WEEKDAYS[new Date(t * 60_000).getUTCDay()] as string;

/** `NAME;TZID=…:value` as Google writes it: TZID for zoned times, Z for UTC, VALUE=DATE for days. */
function when(name: string, t: Local, zone: string, allDay: boolean): string {
  if (allDay) return `${name};VALUE=DATE:${dateText(t)}`;
  if (zone === "UTC") return `${name}:${dateTimeText(t)}Z`;
  return `${name};TZID=${zone}:${dateTimeText(t)}`;
}

/**
 * Generates the export. The default size is about 6 MB: 6,000 VEVENTs, 300 series (four in five
 * ended before 2026), about 600 overrides, the rest one-off events, 6 % of them all-day.
 */
export function googleExport(options: GoogleExportOptions = {}): GoogleExport {
  const total = options.events ?? 6000;
  const random = prng(options.seed ?? 2016);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number) => random() < p;
  const uid = () => `${Array.from({ length: 26 }, () => "0123456789abcdefghijklmnopqrstuv"[int(0, 31)]).join("")}@google.com`;
  const email = (name: string) =>
    `${
      name
        .normalize("NFD")
        .replace(/[^A-Za-z ]/g, "")
        .trim()
        .toLowerCase()
        .replace(/ +/g, ".") || "guest"
    }@example.com`;

  const body: string[] = [];
  const used = new Set<string>(["Europe/Berlin"]);
  const counts = { events: 0, oneOffs: 0, allDay: 0, series: 0, endedSeries: 0, overrides: 0 };

  const describe = (topic: string) => {
    if (chance(0.45)) return undefined;
    const items = Array.from({ length: int(1, 4) }, () => `<li>${pick(ITEMS)}</li>`).join("");
    const doc = `https://docs.google.com/document/d/1${uid().slice(0, 24)}/edit`;
    let html = `<b>${topic}</b><br>Agenda:<ul>${items}</ul><br>Notes: <a href="${doc}">${doc}</a>`;
    if (chance(0.5)) {
      const meet = `meet.google.com/${uid().slice(0, 3)}-${uid().slice(0, 4)}-${uid().slice(0, 3)}`;
      html +=
        `\n\n${MEET_LINE}\nJoin with Google Meet: https://${meet}\nOr dial: (DE) +49 30 1234 5678 PIN: ${int(100_000_000, 999_999_999)}#\n\n` +
        `Learn more about Meet at: https://support.google.com/a/users/answer/9282720\n\nPlease do not edit this section.\n${MEET_LINE}`;
    }
    return html;
  };

  /** One VEVENT. `start`/`end` are wall-clock times in `zone` (or dates when all-day). */
  const vevent = (e: {
    uid: string;
    start: Local;
    end: Local;
    zone: string;
    allDay: boolean;
    summary: string;
    rrule?: string;
    exdates?: Local[];
    recurrenceId?: Local;
    status?: string;
    sequence?: number;
    created: Local;
  }) => {
    if (e.zone !== "UTC" && !e.allDay) used.add(e.zone);
    const lines = ["BEGIN:VEVENT", when("DTSTART", e.start, e.zone, e.allDay), when("DTEND", e.end, e.zone, e.allDay)];
    if (e.rrule) lines.push(`RRULE:${e.rrule}`);
    for (const exdate of e.exdates ?? []) lines.push(when("EXDATE", exdate, e.zone, e.allDay));
    lines.push(`DTSTAMP:20261201T120000Z`);
    const organizer = chance(0.5) ? "Platform team" : pick(PEOPLE);
    lines.push(
      organizer === "Platform team"
        ? "ORGANIZER;CN=Platform team:mailto:c_8f1e0a2b9c7d4e5f@group.calendar.google.com"
        : `ORGANIZER;CN=${organizer}:mailto:${email(organizer)}`,
    );
    lines.push(`UID:${e.uid}`);
    if (e.recurrenceId !== undefined) lines.push(when("RECURRENCE-ID", e.recurrenceId, e.zone, e.allDay));
    if (!e.allDay) {
      for (let i = int(0, 6); i > 0; i--) {
        const person = pick(PEOPLE);
        const state = pick(["ACCEPTED", "ACCEPTED", "NEEDS-ACTION", "DECLINED", "TENTATIVE"]);
        lines.push(`ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=${state};CN=${person};X-NUM-GUESTS=0:mailto:${email(person)}`);
      }
      if (chance(0.3))
        lines.push(`X-GOOGLE-CONFERENCE:https://meet.google.com/${uid().slice(0, 3)}-${uid().slice(0, 4)}-${uid().slice(0, 3)}`);
    }
    lines.push(`CREATED:${dateTimeText(e.created)}Z`);
    const description = describe(e.summary);
    lines.push(`DESCRIPTION:${description === undefined ? "" : text(description)}`);
    lines.push(`LAST-MODIFIED:${dateTimeText(e.created + int(0, 30) * DAY)}Z`);
    lines.push(`LOCATION:${chance(0.4) ? text(`Raum ${int(1, 12)}, Gebäude ${pick(["A", "B", "C"])}, Berlin`) : ""}`);
    lines.push(`SEQUENCE:${e.sequence ?? 0}`, `STATUS:${e.status ?? "CONFIRMED"}`, `SUMMARY:${text(e.summary)}`);
    lines.push(`TRANSP:${e.allDay ? "TRANSPARENT" : "OPAQUE"}`);
    if (!e.allDay && chance(0.3)) {
      lines.push("BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:This is an event reminder", "TRIGGER:-P0DT0H10M0S", "END:VALARM");
    }
    lines.push("END:VEVENT");
    for (const line of lines) body.push(fold(line));
    counts.events++;
  };

  const seriesCount = Math.max(total >= 20 ? 1 : 0, Math.round(total / 20));
  for (let s = 0; s < seriesCount && counts.events < total; s++) {
    const live = s % 5 === 0;
    const zone = pick(EVENT_ZONES);
    const topic = pick(TOPICS);
    const id = uid();
    const step = pick([1, 7, 7, 7, 14]) * DAY;
    const length = pick([15, 30, 30, 45, 60]);
    let start: Local;
    let rrule: string;
    let instances: number;
    const hour = int(7, 18);
    if (live) {
      // Live series: started 2018–2026, open-ended or until 2027; the weekly ones often on the window's weekday.
      start = local(int(2018, 2026), int(1, 11), int(1, 28), hour, pick([0, 30]));
      if (step === 7 * DAY && chance(0.5)) while (weekday(start) !== "WE") start += DAY;
      instances = Math.floor((local(2026, 12, 1) - start) / step);
      if (instances < 4) continue;
      rrule = step === DAY ? "FREQ=DAILY" : `FREQ=WEEKLY;WKST=MO;${step === 14 * DAY ? "INTERVAL=2;" : ""}BYDAY=${weekday(start)}`;
      if (chance(0.3)) rrule += `;UNTIL=${dateTimeText(local(2027, int(1, 12), int(1, 28)))}Z`;
    } else {
      // Ended long ago: UNTIL or COUNT, last instance in 2016–2025.
      start = local(int(2016, 2024), int(1, 12), int(1, 28), hour, pick([0, 30]));
      instances = int(3, 60);
      if (start + instances * step >= local(2025, 12, 1)) instances = Math.max(4, Math.floor((local(2025, 12, 1) - start) / step) - 1);
      const base = step === DAY ? "FREQ=DAILY" : `FREQ=WEEKLY;WKST=MO;${step === 14 * DAY ? "INTERVAL=2;" : ""}BYDAY=${weekday(start)}`;
      // Google ends a series with the UTC time of its last instance, or counts it. Read at the zone's
      // standard offset, that time is the instance's or up to an hour after it (summer time).
      const until = start + (instances - 1) * step - (STANDARD_OFFSET[zone] ?? 0);
      rrule = chance(0.5) ? `${base};COUNT=${instances}` : `${base};UNTIL=${dateTimeText(until)}Z`;
      counts.endedSeries++;
    }
    const instance = (n: number) => start + n * step;
    // Overrides: a moved or retitled instance, now and then a cancelled one; never of an instance
    // that an EXDATE removes, nor of the second instance, which a far move below may take.
    const overrides = new Set<number>();
    for (let o = int(live ? 2 : 0, live ? 5 : 2); o > 0; o--) overrides.add(int(2, instances - 1));
    const exdates = new Set<Local>();
    for (let x = int(0, live ? 4 : 1); x > 0; x--) {
      const n = int(2, instances - 1);
      if (!overrides.has(n)) exdates.add(instance(n));
    }
    vevent({
      uid: id,
      start,
      end: start + length,
      zone,
      allDay: false,
      summary: topic,
      rrule,
      exdates: [...exdates],
      created: start - int(1, 30) * DAY,
    });
    counts.series++;
    for (const n of overrides) {
      if (counts.events >= total) break;
      const moved = instance(n) + pick([-60, 30, 60, DAY]);
      vevent({
        uid: id,
        start: moved,
        end: moved + length,
        zone,
        allDay: false,
        summary: chance(0.7) ? topic : `${topic} (moved)`,
        recurrenceId: instance(n),
        status: chance(0.1) ? "CANCELLED" : "CONFIRMED",
        sequence: int(1, 3),
        created: start,
      });
      counts.overrides++;
    }
    // Far moves: an instance of years ago moved into the window, and the window's own instance moved out.
    if ((s % 50 === 0 || s % 50 === 3) && counts.events < total) {
      const into = local(2026, 12, 2, int(8, 16));
      vevent({
        uid: id,
        start: into,
        end: into + length,
        zone,
        allDay: false,
        summary: `${topic} (rescheduled from ${dateText(instance(1))})`,
        recurrenceId: instance(1),
        sequence: 2,
        created: start,
      });
      counts.overrides++;
    }
    if (live && s % 10 === 0 && counts.events < total) {
      const inWindow = Math.ceil((local(2026, 12, 2) - start) / step);
      const out = local(2027, 3, 3, hour);
      vevent({
        uid: id,
        start: out,
        end: out + length,
        zone,
        allDay: false,
        summary: `${topic} (postponed)`,
        recurrenceId: instance(inWindow),
        sequence: 1,
        created: start,
      });
      counts.overrides++;
    }
  }

  // The rest: one-off events over ten years, a few after the export; a few on the window's day,
  // the first of them among them: a one-event export is one event that matters.
  const first = local(2016, 1, 1);
  const last = local(2027, 6, 30);
  while (counts.events < total) {
    const onWindow = counts.oneOffs % 500 === 0;
    const allDay = !onWindow && chance(0.06);
    // Nine in ten lie before the export, as in a calendar used for years.
    const day = onWindow
      ? local(2026, 12, 2)
      : chance(0.9)
        ? first + int(0, (local(2026, 12, 1) - first) / DAY) * DAY
        : local(2026, 12, 2) + int(0, (last - local(2026, 12, 2)) / DAY) * DAY;
    const zone = pick(EVENT_ZONES);
    if (allDay) {
      vevent({ uid: uid(), start: day, end: day + int(1, 3) * DAY, zone, allDay, summary: pick(ALL_DAY_TOPICS), created: day - 10 * DAY });
      counts.allDay++;
    } else {
      const start = day + int(7, 19) * 60 + pick([0, 15, 30, 45]);
      vevent({
        uid: uid(),
        start,
        end: start + pick([15, 30, 60, 90]),
        zone,
        allDay,
        summary: pick(TOPICS),
        status: chance(0.03) ? "CANCELLED" : "CONFIRMED",
        created: start - int(1, 60) * DAY,
      });
    }
    counts.oneOffs++;
  }

  const head = [
    "BEGIN:VCALENDAR",
    "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
    "VERSION:2.0",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "X-WR-CALNAME:Platform team",
    "X-WR-TIMEZONE:Europe/Berlin",
    fold(`X-WR-CALDESC:${text("Shared calendar of the platform team: meetings, on-call, offsites, holidays.")}`),
  ];
  for (const zone of Object.keys(ZONES)) {
    if (!used.has(zone)) continue;
    head.push("BEGIN:VTIMEZONE", `TZID:${zone}`, `X-LIC-LOCATION:${zone}`, ...(ZONES[zone] as string[]), "END:VTIMEZONE");
  }
  return { ics: `${[...head, ...body, "END:VCALENDAR"].join("\r\n")}\r\n`, ...counts };
}

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ExpandOptions, occurrencesOf, parseCalendar } from "../../src/calendar/expand.ts";
import { readManifest } from "../support/ical-corpus.ts";
import { prng } from "../support/prng.ts";

// The fast path (read only the events that can matter for a horizon) against a full reading of
// the same text: for every window, the two must give the very same occurrences. The fast path
// reads the feed as a run does, from its UTF-8 bytes (src/calendar/octets.ts); the full reading
// reads the decoded text.

const DAY = 86_400_000;

/** The occurrences of a full reading and of a reading for exactly the window, side by side. */
function bothReadings(ics: string, window: ExpandOptions, whole = parseCalendar(ics)): { full: unknown; fast: unknown } {
  const full = occurrencesOf(whole, window).occurrences;
  const fast = occurrencesOf(parseCalendar(Buffer.from(ics, "utf8"), { horizon: window }), window).occurrences;
  return { full, fast };
}

/** Windows around `anchor`: short ones at odd minutes, a day, a month, and one years before it. */
function windowsAround(anchor: number, random: () => number, timezone: string): ExpandOptions[] {
  const windows: ExpandOptions[] = [];
  for (const length of [5 * 60_000, DAY, 8 * DAY]) {
    const from = anchor + Math.floor(((random() - 0.5) * 60 * DAY) / 60_000) * 60_000;
    windows.push({ from: new Date(from), to: new Date(from + length), timezone });
  }
  const past = anchor - Math.floor(random() * 8 * 365) * DAY;
  windows.push({ from: new Date(past), to: new Date(past + 7 * DAY), timezone });
  return windows;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
const stamp = (ms: number, utc: boolean) => {
  const d = new Date(ms);
  const text = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}00`;
  return utc ? `${text}Z` : text;
};
const day = (ms: number) => stamp(ms, false).slice(0, 8);

const ANCHOR = Date.parse("2026-03-10T09:00:00Z");

/**
 * A seeded calendar of the shapes a long-lived feed holds: past one-offs, ended series (UNTIL and
 * COUNT), live series with EXDATEs, overrides moved within a series and from far away into the
 * anchor's weeks, far-away RECURRENCE-IDs, all-day and zoned starts, RDATEs, cancelled events.
 */
function randomCalendar(seed: number): string {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//ical-slack-reminder//test//EN"];
  if (random() < 0.3) lines.push("X-WR-TIMEZONE:Europe/Berlin");
  const when = () => ANCHOR + Math.floor((random() - 0.8) * 10 * 365 * 24) * 3_600_000;
  const near = () => ANCHOR + Math.floor((random() - 0.5) * 40 * 24) * 3_600_000;
  const start = (ms: number, kind: string) =>
    kind === "date"
      ? `DTSTART;VALUE=DATE:${day(ms)}`
      : kind === "utc"
        ? `DTSTART:${stamp(ms, true)}`
        : kind === "floating"
          ? `DTSTART:${stamp(ms, false)}`
          : `DTSTART;TZID=${kind}:${stamp(ms, false)}`;
  const kinds = ["utc", "date", "floating", "Europe/Berlin", "America/New_York", "Australia/Sydney"];
  const events = 10 + Math.floor(random() * 20);
  for (let i = 0; i < events; i++) {
    // Some UIDs and titles are not ASCII: the bytes of the fast path must read as the text does.
    const uid = random() < 0.2 ? `é${i}@tëst` : `e${i}@test`;
    const kind = pick(kinds);
    const begins = random() < 0.2 ? near() : when();
    const shape = random();
    const body = [
      `UID:${uid}`,
      start(begins, kind),
      kind === "date" ? "DURATION:P1D" : "DURATION:PT45M",
      random() < 0.3 ? `SUMMARY:Réunion ${i} – Über\r\n den Zürichsee` : `SUMMARY:Event ${i}`,
    ];
    if (random() < 0.05) body.push("STATUS:CANCELLED");
    if (shape < 0.35) {
      // a one-off
    } else {
      const freq = pick(["DAILY", "WEEKLY", "WEEKLY;BYDAY=MO,TH", "MONTHLY", "MONTHLY;BYDAY=-1FR", "YEARLY", "HOURLY;INTERVAL=7"]);
      const end = random();
      const limit =
        end < 0.35
          ? `;UNTIL=${kind === "date" ? day(begins + random() * 900 * DAY) : stamp(begins + random() * 900 * DAY, true)}`
          : end < 0.7
            ? `;COUNT=${1 + Math.floor(random() * 60)}`
            : "";
      body.push(`RRULE:FREQ=${freq}${limit}${random() < 0.3 ? ";INTERVAL=2" : ""}`.replace(";INTERVAL=7;INTERVAL=2", ";INTERVAL=7"));
      if (random() < 0.3)
        body.push(
          `EXDATE${kind === "utc" || kind === "date" || kind === "floating" ? "" : `;TZID=${kind}`}:${kind === "date" ? day(begins + 7 * DAY) : stamp(begins + 7 * DAY, kind === "utc")}`,
        );
      if (random() < 0.15) body.push(`RDATE${kind === "date" ? ";VALUE=DATE" : ""}:${kind === "date" ? day(near()) : stamp(near(), true)}`);
    }
    lines.push("BEGIN:VEVENT", ...body, "END:VEVENT");
    if (shape >= 0.35 && random() < 0.4) {
      // An override of one instance: its RECURRENCE-ID names a day of the series (which may not
      // be an instance), its new start is close by, or far away in the anchor's weeks.
      const replaced = begins + Math.floor(random() * 30) * 7 * DAY;
      const moved = random() < 0.5 ? near() : replaced + 3_600_000;
      const rid =
        kind === "date"
          ? `RECURRENCE-ID;VALUE=DATE:${day(replaced)}`
          : `RECURRENCE-ID${kind.includes("/") ? `;TZID=${kind}` : ""}:${stamp(replaced, kind === "utc")}`;
      lines.push(
        "BEGIN:VEVENT",
        `UID:${uid}`,
        rid,
        start(moved, kind),
        "DURATION:PT30M",
        `SUMMARY:Event ${i} moved`,
        "SEQUENCE:1",
        "END:VEVENT",
      );
      if (random() < 0.3) {
        // An older version of the same override, moved near the anchor: the newer one wins.
        lines.push(
          "BEGIN:VEVENT",
          `UID:${uid}`,
          rid,
          start(near(), kind),
          "DURATION:PT30M",
          `SUMMARY:Event ${i} moved before`,
          "SEQUENCE:0",
          "END:VEVENT",
        );
      }
    }
    if (random() < 0.15) {
      // An older version of the same event (lower SEQUENCE), near the anchor while the current
      // one is far: the current version wins whatever the horizon.
      lines.splice(lines.lastIndexOf(`UID:${uid}`) + 1, 0, "SEQUENCE:2");
      lines.push("BEGIN:VEVENT", `UID:${uid}`, start(near(), kind), "SEQUENCE:1", "SUMMARY:Old version", "END:VEVENT");
    }
  }
  lines.push("END:VCALENDAR", "");
  // Some producers write property names in other cases (RFC 5545 §3.1: names are case-insensitive).
  const anyCase = random() < 0.2;
  const names = (line: string) => line.replace(/^[A-Z-]+/, (name) => [...name].map((c) => (random() < 0.5 ? c.toLowerCase() : c)).join(""));
  return (anyCase ? lines.map(names) : lines).join("\r\n");
}

describe("reading for a horizon", () => {
  it("gives the occurrences of a full reading for every fixture, in windows across their dates", { timeout: 120_000 }, () => {
    // Prepare
    const folders = [new URL("../fixtures/calendar/", import.meta.url), new URL("../fixtures/", import.meta.url)];
    const files = folders.flatMap((folder) =>
      readdirSync(folder)
        .filter((name) => name.endsWith(".ics"))
        .map((name) => readFileSync(new URL(name, folder), "utf8")),
    );
    const random = prng(7);

    // Act, Assess
    expect(files.length).toBeGreaterThan(20);
    for (const ics of files) {
      const full = parseCalendar(ics);
      const starts = full.series.flatMap((s) => [s.master, ...s.overrides]).filter((r) => r !== undefined);
      const anchors = [ANCHOR, ...starts.slice(0, 4).map((r) => Date.parse(`${r.start.kind === "date" ? r.start.date : r.start.wall}Z`))];
      for (const anchor of anchors) {
        for (const window of windowsAround(anchor, random, "America/New_York")) {
          const { full: all, fast } = bothReadings(ics, window, full);
          expect(fast).toEqual(all);
        }
      }
    }
  });

  it("gives the occurrences of a full reading for 200 seeded calendars of long history", { timeout: 180_000 }, () => {
    // Prepare
    const random = prng(11);
    let compared = 0;
    let nonEmpty = 0;

    // Act, Assess
    for (let seed = 1; seed <= 200; seed++) {
      const ics = randomCalendar(seed);
      const whole = parseCalendar(ics);
      for (const window of windowsAround(ANCHOR, random, seed % 2 ? "UTC" : "Asia/Tokyo")) {
        const { full, fast } = bothReadings(ics, window, whole);
        expect(fast, `calendar ${seed}, window ${window.from.toISOString()}`).toEqual(full);
        compared += 1;
        if ((full as unknown[]).length > 0) nonEmpty += 1;
      }
    }
    // The comparison means something only if most windows hold occurrences.
    expect(compared).toBe(800);
    expect(nonEmpty).toBeGreaterThan(400);
  });

  it("leaves events that cannot matter unread, and keeps a series with the overrides that can", () => {
    // Prepare: ten years of one-offs, an ended series, one live series with a far override.
    const lines = ["BEGIN:VCALENDAR", "VERSION:2.0"];
    for (let i = 0; i < 500; i++) {
      lines.push("BEGIN:VEVENT", `UID:past-${i}`, `DTSTART:${stamp(ANCHOR - (30 + i * 7) * DAY, true)}`, "SUMMARY:Past", "END:VEVENT");
    }
    lines.push("BEGIN:VEVENT", "UID:ended", "DTSTART:20180105T090000Z", "RRULE:FREQ=WEEKLY;UNTIL=20200101T000000Z", "END:VEVENT");
    lines.push("BEGIN:VEVENT", "UID:counted", "DTSTART:20190105T090000Z", "RRULE:FREQ=DAILY;COUNT=30", "END:VEVENT");
    lines.push("BEGIN:VEVENT", "UID:live", "DTSTART:20190105T090000Z", "RRULE:FREQ=WEEKLY", "SUMMARY:Live", "END:VEVENT");
    lines.push(
      "BEGIN:VEVENT",
      "UID:live",
      "RECURRENCE-ID:20190112T090000Z",
      "DTSTART:20190113T090000Z",
      "SUMMARY:Moved once",
      "END:VEVENT",
    );
    lines.push(
      "BEGIN:VEVENT",
      "UID:live",
      "RECURRENCE-ID:20190119T090000Z",
      `DTSTART:${stamp(ANCHOR + DAY, true)}`,
      "SUMMARY:Moved years ahead",
      "END:VEVENT",
    );
    lines.push("END:VCALENDAR", "");
    const horizon = { from: new Date(ANCHOR), to: new Date(ANCHOR + 7 * DAY) };

    // Act
    const calendar = parseCalendar(lines.join("\r\n"), { horizon });

    // Assess
    expect(calendar.eventCount).toBe(505);
    expect(calendar.series.map((s) => [s.uid, s.overrides.map((o) => o.text.summary)])).toEqual([["live", ["Moved years ahead"]]]);
  });

  it("keeps a COUNT series whose rule skips periods for as long as its last instance can lie ahead", () => {
    // Prepare: monthly rules on the 28th to the 31st and yearly ones on 29 February, with
    // intervals whose months or years lack that day for a long run (every fifth month on the 31st
    // waits 30 months; every 25th year on 29 February waits 400 years), as UTC, zoned and dates.
    const starts = ["20260128", "20260129", "20260130", "20260131", "20240229"];
    const forms = [
      (d: string) => `DTSTART:${d}T090000Z`,
      (d: string) => `DTSTART;TZID=Europe/Berlin:${d}T090000`,
      (d: string) => `DTSTART;VALUE=DATE:${d}`,
    ];
    const cases: string[] = [];
    for (const d of starts)
      for (const form of forms)
        for (const interval of [1, 2, 5, 7, 12])
          for (const count of [2, 3]) cases.push(`${form(d)}\r\nRRULE:FREQ=MONTHLY;INTERVAL=${interval};COUNT=${count}`);
    for (const form of forms)
      for (const interval of [1, 3, 25]) cases.push(`${form("20000229")}\r\nRRULE:FREQ=YEARLY;INTERVAL=${interval};COUNT=3`);

    for (const c of cases) {
      const ics = ["BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:skipping", c, "SUMMARY:Skipping", "END:VEVENT", "END:VCALENDAR", ""].join(
        "\r\n",
      );
      const all = occurrencesOf(parseCalendar(ics), {
        from: new Date("1999-01-01T00:00:00Z"),
        to: new Date("2900-01-01T00:00:00Z"),
        timezone: "UTC",
      });
      const last = all.occurrences.at(-1)?.start.getTime() as number;
      const window: ExpandOptions = { from: new Date(last - DAY), to: new Date(last + DAY), timezone: "UTC" };

      // Act: a run's reading for a window around its last instance
      const { full, fast } = bothReadings(ics, window);

      // Assess
      expect(fast, c).toEqual(full);
      expect((full as unknown[]).length, c).toBe(1);
    }
  });

  it("leaves unread a COUNT series of a UTC or date start that ended weeks before the horizon", () => {
    // Prepare: seven weekly instances, the last five weeks before the horizon
    const start = ANCHOR - 77 * DAY;
    const ics = [
      "BEGIN:VCALENDAR",
      "BEGIN:VEVENT",
      "UID:utc",
      `DTSTART:${stamp(start, true)}`,
      "RRULE:FREQ=WEEKLY;COUNT=7",
      "END:VEVENT",
      "BEGIN:VEVENT",
      "UID:date",
      `DTSTART;VALUE=DATE:${day(start)}`,
      "RRULE:FREQ=WEEKLY;BYDAY=MO,TU;COUNT=7",
      "END:VEVENT",
      "BEGIN:VEVENT",
      "UID:live",
      `DTSTART:${stamp(start, true)}`,
      "RRULE:FREQ=WEEKLY;COUNT=12",
      "END:VEVENT",
      "END:VCALENDAR",
      "",
    ].join("\r\n");

    // Act
    const calendar = parseCalendar(Buffer.from(ics), { horizon: { from: new Date(ANCHOR), to: new Date(ANCHOR + 7 * DAY) } });

    // Assess: only the series still running is read
    expect(calendar.series.map((s) => s.uid)).toEqual(["live"]);
  });

  it("reads property names in any case, as RFC 5545 §3.1 allows: an RRule or Rdate keeps its event", () => {
    // Prepare: a weekly series and an RDATE, both written in mixed case, from six years ago
    const ics = [
      "BEGIN:VCALENDAR",
      "BEGIN:VEVENT",
      "UID:mixed-rrule",
      "DTSTART;TZID=Europe/Berlin:20200106T090000",
      "DTEND;TZID=Europe/Berlin:20200106T100000",
      "RRule:FREQ=WEEKLY;BYDAY=MO",
      "END:VEVENT",
      "BEGIN:VEVENT",
      "UID:mixed-rdate",
      "DtStart;TZID=Europe/Berlin:20200106T090000",
      "Rdate;TZID=Europe/Berlin:20260310T120000",
      "END:VEVENT",
      "END:VCALENDAR",
      "",
    ].join("\r\n");
    const window = { from: new Date("2026-03-09T00:00:00Z"), to: new Date("2026-03-12T00:00:00Z"), timezone: "Europe/Berlin" };

    // Act
    const { full, fast } = bothReadings(ics, window);

    // Assess
    expect(fast).toEqual(full);
    expect((fast as { uid: string }[]).map((o) => o.uid)).toEqual(["mixed-rrule", "mixed-rdate"]);
  });

  it("picks the current version of an override whatever the horizon, when its versions name the instance in different forms", () => {
    // Prepare: SEQUENCE 1 (named in Berlin time) moved the 12 January instance to 10 March; SEQUENCE
    // 2 (named in UTC) moved it back to 13 January: nothing of it is in March
    const ics = readFileSync(join("test/fixtures/calendar", "override-versions-one-moved-far.ics"), "utf8");
    const window = { from: new Date("2026-03-09T00:00:00Z"), to: new Date("2026-03-16T00:00:00Z"), timezone: "Europe/Berlin" };

    // Act
    const { full, fast } = bothReadings(ics, window);

    // Assess
    expect(fast).toEqual(full);
    expect((fast as { summary: string }[]).map((o) => o.summary)).toEqual(["series"]);
  });

  it("reads a kept calendar again when a later window leaves its horizon", () => {
    // Prepare
    const ics = [
      "BEGIN:VCALENDAR",
      "BEGIN:VEVENT",
      "UID:later",
      `DTSTART:${stamp(ANCHOR + 40 * DAY, true)}`,
      "SUMMARY:Later",
      "END:VEVENT",
      "END:VCALENDAR",
      "",
    ].join("\r\n");
    const calendar = parseCalendar(ics, { horizon: { from: new Date(ANCHOR), to: new Date(ANCHOR + DAY) } });
    const later = { from: new Date(ANCHOR + 40 * DAY - 60_000), to: new Date(ANCHOR + 40 * DAY + 60_000), timezone: "UTC" };

    // Act
    const before = calendar.series.length;
    const { occurrences } = occurrencesOf(calendar, later);

    // Assess
    expect(before).toBe(0);
    expect(occurrences.map((o) => o.uid)).toEqual(["later"]);
    expect(calendar.horizon?.from).toBeLessThanOrEqual(later.from.getTime());
    expect(calendar.horizon?.to).toBeGreaterThanOrEqual(later.to.getTime());
  });
});

const corpus = process.env.ICAL_CORPUS;

describe.skipIf(!corpus)("reading for a horizon, on the public corpus", () => {
  it("gives the occurrences of a full reading for every corpus calendar, in several windows", { timeout: 120_000 }, () => {
    // Prepare
    const root = corpus as string;
    const { cases } = readManifest(root);
    const random = prng(5);

    // Act, Assess
    for (const c of cases) {
      const ics = readFileSync(join(root, c.file), "utf8");
      const from = Date.parse(c.from);
      const to = Date.parse(c.to);
      const span = Math.max(DAY, to - from);
      const windows: ExpandOptions[] = [{ from: new Date(from), to: new Date(to), timezone: c.tz }];
      for (let i = 0; i < 3; i++) {
        const at = from + Math.floor((random() * span) / 60_000) * 60_000;
        windows.push({ from: new Date(at), to: new Date(at + (1 + Math.floor(random() * 30)) * DAY), timezone: c.tz });
      }
      for (const window of windows) {
        const { full, fast } = bothReadings(ics, window);
        expect(fast, `${c.file} at ${window.from.toISOString()}`).toEqual(full);
      }
    }
  });
});

import { describe, expect, it } from "vitest";
import { readAndExpand, ruleCalendar } from "../support/calendar.ts";
import { prng } from "../support/prng.ts";

// Seeded rules with the BYxxx parts that interact (BYMONTH, BYYEARDAY, BYMONTHDAY, BYDAY with
// ordinals, BYHOUR, BYMINUTE, BYSETPOS, INTERVAL, COUNT), expanded by the engine and by a reading
// of RFC 5545 §3.3.10 that knows nothing of rrule-temporal: every day of each period is tested
// against every part the rule names, the times of day are those the rule names (else DTSTART's),
// BYSETPOS picks from the period's sorted set, DTSTART is the first instance and counts for COUNT.
// Where the RFC leaves a part to DTSTART, so does the reference (a yearly rule's month and day, a
// monthly one's day, a weekly one's weekday, a yearly BYMONTHDAY's month). The starts are in UTC
// and each DTSTART is the rule's own first instance, so no DST and no unsynchronised start blur
// the comparison. BYWEEKNO is left to the fixtures of test/calendar/rrule-temporal-corrections.

const DAY_MS = 86_400_000;
const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
type Freq = "YEARLY" | "MONTHLY" | "WEEKLY" | "DAILY";
type Parts = Partial<
  Record<"BYMONTH" | "BYYEARDAY" | "BYMONTHDAY" | "BYDAY" | "BYHOUR" | "BYMINUTE" | "BYSETPOS" | "INTERVAL" | "COUNT", string>
>;

interface Day {
  ms: number;
  year: number;
  month: number;
  day: number;
  /** 0 = Monday. */
  weekday: number;
  dayOfYear: number;
  daysInMonth: number;
  daysInYear: number;
}

function dayAt(ms: number): Day {
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1;
  return {
    ms,
    year,
    month,
    day: date.getUTCDate(),
    weekday: (date.getUTCDay() + 6) % 7,
    dayOfYear: (ms - Date.UTC(year, 0, 1)) / DAY_MS + 1,
    daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
    daysInYear: (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / DAY_MS,
  };
}

const numbers = (value: string | undefined) => value?.split(",").map(Number);
const inList = (list: number[], value: number, length: number) => list.some((n) => (n > 0 ? n : length + 1 + n) === value);

/** The instances of `freq` with `parts` from `start` (epoch ms, UTC) before `end`, by the RFC's definitions. */
function reference(freq: Freq, parts: Parts, start: number, end: number): number[] {
  const first = dayAt(start - (start % DAY_MS));
  let months = numbers(parts.BYMONTH);
  const yearDays = numbers(parts.BYYEARDAY);
  let monthDays = numbers(parts.BYMONTHDAY);
  let days = parts.BYDAY?.split(",").map((token) => ({
    ordinal: Number(token.slice(0, -2) || 0),
    weekday: WEEKDAYS.indexOf(token.slice(-2)),
  }));
  if (freq === "YEARLY" && !yearDays && !monthDays && !days) {
    monthDays = [first.day];
    months ??= [first.month];
  } else if (freq === "YEARLY" && monthDays && !yearDays && !days) {
    months ??= [first.month];
  } else if (freq === "MONTHLY" && !monthDays && !days) {
    monthDays = [first.day];
  } else if (freq === "WEEKLY" && !days) {
    days = [{ ordinal: 0, weekday: first.weekday }];
  }
  const hours = numbers(parts.BYHOUR) ?? [new Date(start).getUTCHours()];
  const minutes = numbers(parts.BYMINUTE) ?? [new Date(start).getUTCMinutes()];
  const interval = Number(parts.INTERVAL ?? 1);

  // The periods, each as its first day and the day after its last.
  const periods: Array<[number, number]> = [];
  for (let i = 0; ; i += interval) {
    let from: number;
    let to: number;
    if (freq === "YEARLY") [from, to] = [Date.UTC(first.year + i, 0, 1), Date.UTC(first.year + i + 1, 0, 1)];
    else if (freq === "MONTHLY") [from, to] = [Date.UTC(first.year, first.month - 1 + i, 1), Date.UTC(first.year, first.month + i, 1)];
    else if (freq === "WEEKLY") {
      from = first.ms - first.weekday * DAY_MS + i * 7 * DAY_MS;
      to = from + 7 * DAY_MS;
    } else [from, to] = [first.ms + i * DAY_MS, first.ms + (i + 1) * DAY_MS];
    if (from >= end) break;
    periods.push([from, to]);
  }
  const found: number[] = [];
  for (const [from, to] of periods) {
    let set: number[] = [];
    for (let ms = from; ms < to; ms += DAY_MS) {
      const d = dayAt(ms);
      if (months && !months.includes(d.month)) continue;
      if (yearDays && !inList(yearDays, d.dayOfYear, d.daysInYear)) continue;
      if (monthDays && !inList(monthDays, d.day, d.daysInMonth)) continue;
      if (days) {
        const withinMonth = freq === "MONTHLY" || months !== undefined;
        const at = withinMonth ? d.day : d.dayOfYear;
        const length = withinMonth ? d.daysInMonth : d.daysInYear;
        const fromStart = Math.floor((at - 1) / 7) + 1;
        const fromEnd = -(Math.floor((length - at) / 7) + 1);
        if (!days.some((x) => x.weekday === d.weekday && (x.ordinal === 0 || x.ordinal === fromStart || x.ordinal === fromEnd))) continue;
      }
      for (const hour of hours) for (const minute of minutes) set.push(ms + hour * 3_600_000 + minute * 60_000);
    }
    set.sort((a, b) => a - b);
    const positions = numbers(parts.BYSETPOS);
    if (positions) {
      const picked = new Set(positions.map((n) => set[n > 0 ? n - 1 : set.length + n]).filter((ms) => ms !== undefined));
      set = [...picked].sort((a, b) => (a as number) - (b as number)) as number[];
    }
    found.push(...set);
  }
  const all = [start, ...found.filter((ms) => ms > start)];
  const count = parts.COUNT === undefined ? all : all.slice(0, Number(parts.COUNT));
  return count.filter((ms) => ms < end);
}

/** A seeded rule of one of the four frequencies, with parts the RFC allows with it. */
function seededRule(random: () => number): { freq: Freq; parts: Parts } {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const list = (...items: (string | number)[]) => [...new Set(items.map(String))].join(",");
  const freq = pick(["YEARLY", "YEARLY", "MONTHLY", "MONTHLY", "WEEKLY", "DAILY"] as const);
  const parts: Parts = {};
  if (random() < 0.3) parts.INTERVAL = String(pick([2, 3]));
  if (random() < 0.4) parts.BYMONTH = list(pick([1, 2, 3, 6, 12]), pick([2, 5, 11]));
  if (freq === "YEARLY" && random() < 0.3) parts.BYYEARDAY = list(pick([1, 60, 100, 366, -1, -7]), pick([32, 200]));
  if (freq !== "WEEKLY" && random() < 0.4) parts.BYMONTHDAY = list(pick([1, 13, 15, 29, 31, -1, -3]), pick([5, 20]));
  if (random() < 0.5 || freq === "WEEKLY") {
    const ordinals = freq === "YEARLY" ? [1, 2, -1, 10, 20, -2, 53] : freq === "MONTHLY" ? [1, 2, 3, -1, -2] : undefined;
    const withOrdinal = ordinals !== undefined && random() < 0.4;
    parts.BYDAY = list(...[pick(WEEKDAYS), pick(WEEKDAYS)].map((d) => (withOrdinal ? `${pick(ordinals as number[])}${d}` : d)));
  }
  if (freq !== "DAILY" && random() < 0.2) {
    parts.BYHOUR = list(pick([8, 9, 13]), pick([17, 22, 0]));
    if (random() < 0.5) parts.BYMINUTE = list(0, pick([15, 30, 45]));
  }
  if (freq !== "DAILY" && random() < 0.15) parts.BYSETPOS = pick(["1", "-1", "2", "1,-1"]);
  else if (random() < 0.4) parts.COUNT = String(pick([1, 3, 7, 15]));
  return { freq, parts };
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, "");
const iso = (ms: number) => new Date(ms).toISOString();

describe("recurrence rules against a day-by-day reading of RFC 5545", () => {
  const random = prng(0x5545);
  const cases = Array.from({ length: 300 }, (_, i) => {
    const { freq, parts } = seededRule(random);
    const year = 2024 + Math.floor(random() * 3);
    const seed = Date.UTC(year, Math.floor(random() * 12), 1 + Math.floor(random() * 28), 9);
    const end = Date.UTC(year + (freq === "DAILY" || parts.BYHOUR ? 1 : 5), 0, 1);
    // DTSTART is the rule's own first instance at or after the seed.
    const { COUNT: _count, ...uncounted } = parts;
    const start = reference(freq, uncounted, seed, end).find((ms) => ms > seed) ?? seed;
    const rule = [`FREQ=${freq}`, ...Object.entries(parts).map(([name, value]) => `${name}=${value}`)].join(";");
    return { name: `${i}: ${rule} from ${iso(start)}`, freq, parts, rule, start, end };
  });

  it("draws rules that do recur: most give several instances, and every part is drawn", () => {
    const counts = cases.map(({ freq, parts, start, end }) => reference(freq, parts, start, end).length);
    expect(counts.filter((n) => n >= 3).length).toBeGreaterThan(cases.length * 0.6);
    for (const part of ["BYMONTH", "BYYEARDAY", "BYMONTHDAY", "BYDAY", "BYHOUR", "BYMINUTE", "BYSETPOS", "INTERVAL", "COUNT"]) {
      expect(cases.filter(({ parts }) => part in parts).length, part).toBeGreaterThan(10);
    }
  });

  it.each(cases)("expands as the reading does, from DTSTART and from mid-series (%s)", ({ freq, parts, rule, start, end }) => {
    // Prepare
    const ics = ruleCalendar([["rule", stamp(start), rule]]);
    const expected = reference(freq, parts, start, end);
    const middle = start + Math.floor((end - start) / 2);

    // Act
    const whole = readAndExpand(ics, iso(start - DAY_MS), iso(end)).occurrences.map((o) => o.start.getTime());
    const later = readAndExpand(ics, iso(middle), iso(end)).occurrences.map((o) => o.start.getTime());

    // Assess
    expect(whole.map(iso)).toEqual(expected.map(iso));
    expect(later.map(iso)).toEqual(expected.filter((ms) => ms >= middle).map(iso));
  });
});

import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { ianaZone, UTC } from "../../src/calendar/timezones.ts";
import { compatibleInstant, gapsBetween, intlOffsets, readingMs } from "../../src/calendar/zone-offsets.ts";

// The zones whose offsets have moved in every way tzdata knows: half-hour and 45-minute offsets
// and DST, negative DST (Dublin), a skipped day (Apia, 2011) and a repeated one (Kwajalein), DST
// at midnight (Havana, Santiago, Asunción, Beirut), Ramadan breaks (Casablanca), the zones the
// polyfill samples most finely (Gaza, Noronha, Tirane, Riga, Vienna), changes of standard offset
// (Moscow 2011 and 2014, Caracas 2007 and 2016, Pyongyang), UTC+14 and −12, local mean time before
// 1900, and a fixed-offset id.
const ZONES = [
  "Europe/Berlin",
  "America/New_York",
  "America/Los_Angeles",
  "Australia/Sydney",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "Asia/Kolkata",
  "Asia/Kathmandu",
  "Asia/Tokyo",
  "America/St_Johns",
  "Europe/Dublin",
  "Pacific/Apia",
  "Pacific/Kwajalein",
  "America/Havana",
  "America/Santiago",
  "America/Asuncion",
  "Asia/Beirut",
  "Africa/Casablanca",
  "Asia/Gaza",
  "America/Noronha",
  "Europe/Tirane",
  "Europe/Riga",
  "Europe/Vienna",
  "Europe/Moscow",
  "America/Caracas",
  "Asia/Pyongyang",
  "Pacific/Kiritimati",
  "Etc/GMT+12",
  "Antarctica/Troll",
  "Europe/Amsterdam",
  "+05:30",
];

const HOUR_MS = 3_600_000;

const temporalInstant = (zone: string, local: number) =>
  UTC.toWall(local).toZonedDateTime(zone, { disambiguation: "compatible" }).epochMilliseconds;
const temporalWall = (zone: string, instant: number) =>
  Temporal.Instant.fromEpochMilliseconds(instant).toZonedDateTimeISO(zone).toPlainDateTime().toString();

/** The zone's transitions from 1900 to 2040, as Temporal finds them. */
function transitions(zone: string): number[] {
  const found: number[] = [];
  let at: Temporal.ZonedDateTime | null = Temporal.Instant.fromEpochMilliseconds(Date.UTC(1900, 0, 1)).toZonedDateTimeISO(zone);
  while (at && at.epochMilliseconds < Date.UTC(2040, 0, 1)) {
    at = at.getTimeZoneTransition("next");
    if (at) found.push(at.epochMilliseconds);
  }
  return found;
}

/** A seeded generator of numbers in [0, 1). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe("zone offsets read from Intl", () => {
  it("reads en-US readings of a 23-hour clock, and nothing else", () => {
    expect(readingMs("12/2/2026, 09:30:05")).toBe(Date.UTC(2026, 11, 2, 9, 30, 5));
    expect(readingMs("1/1/1970, 24:00:00")).toBe(Date.UTC(1970, 0, 2));
    expect(readingMs("12/2/2026")).toBeNaN();
    expect(readingMs("12/2/2026, 09:30:05 1")).toBeNaN();
  });

  it("converts wall readings and instants as Temporal does, around every transition of zones of every kind, 1900–2040", () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const zone of ZONES) {
      const offsetAt = intlOffsets(zone);
      expect(offsetAt, zone).toBeDefined();
      if (!offsetAt) continue;
      const next = random(zone.length * 7919);
      // Around each transition: the readings on both sides of it, every 20 minutes over ±3 hours
      // of each offset (so every reading in a gap or in a repeated hour), and the instants around it.
      const probes = transitions(zone).flatMap((at) => [at, at + 1000, at - 1000]);
      // And instants anywhere between 1900 and 2040.
      for (let i = 0; i < 100; i++) probes.push(Date.UTC(1900, 0, 1) + Math.floor(next() * 140 * 365.25 * 86_400_000));
      for (const at of probes) {
        const wall = temporalWall(zone, at);
        if (UTC.toWall(at + offsetAt(at)).toString() !== wall) mismatches.push(`${zone} wall at ${new Date(at).toISOString()}`);
        const local = Date.parse(`${wall}Z`);
        for (let minutes = -180; minutes <= 180; minutes += 20) {
          const reading = local + minutes * 60_000;
          checked++;
          if (compatibleInstant(reading, offsetAt) !== temporalInstant(zone, reading))
            mismatches.push(`${zone} instant of ${new Date(reading).toISOString().slice(0, 19)}`);
        }
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(checked).toBeGreaterThan(50_000);
  }, 120_000);

  it("finds the DST gaps Temporal's transitions give, 1970–2040, for zones of every kind", () => {
    for (const zone of ZONES) {
      // Prepare: Temporal's gaps, each the readings between the offsets before and after a transition
      const expected: string[] = [];
      for (const at of transitions(zone)) {
        if (at < Date.UTC(1970, 0, 1) || at >= Date.UTC(2040, 0, 1)) continue;
        const instant = Temporal.Instant.fromEpochMilliseconds(at);
        const before = instant.subtract({ nanoseconds: 1 }).toZonedDateTimeISO(zone).offsetNanoseconds / 1e6;
        const after = instant.toZonedDateTimeISO(zone).offsetNanoseconds / 1e6;
        if (after > before) expected.push(`${at + before}–${at + after}`);
      }
      const offsetAt = intlOffsets(zone);
      if (!offsetAt) throw new Error(`Intl does not know ${zone}`);

      // Act: in two spans (one scan covers at most fifty years), the second starting where the first ends
      const middle = Date.UTC(2005, 6, 1, 12, 34, 56);
      const found = [
        ...(gapsBetween(offsetAt, Date.UTC(1970, 0, 1), middle) ?? []),
        ...(gapsBetween(offsetAt, middle, Date.UTC(2040, 0, 1)) ?? []),
      ];

      // Assess
      expect(
        found.map((gap) => `${gap.from}–${gap.to}`),
        zone,
      ).toEqual(expected);
    }
    // A span too long to sample is left to Temporal.
    const berlin = intlOffsets("Europe/Berlin");
    expect(berlin && gapsBetween(berlin, Date.UTC(1900, 0, 1), Date.UTC(2000, 0, 1))).toBeUndefined();
  }, 60_000);

  it("leaves to Temporal what it cannot read: years before 1000 and after 9999, and zones Intl does not know", () => {
    // Prepare
    const berlin = ianaZone("Europe/Berlin");
    const offsetAt = intlOffsets("Europe/Berlin");
    const early = new Temporal.PlainDateTime(812, 12, 25, 12, 0);
    const late = new Temporal.PlainDateTime(9999, 12, 31, 23, 30);

    // Act / Assess
    expect(intlOffsets("Mars/Olympus_Mons")).toBeUndefined();
    expect(offsetAt?.(Number.NaN)).toBeNaN();
    expect(offsetAt && compatibleInstant(Date.UTC(2026, 0, 1) - 1000 * 365 * 86_400_000 * 2, offsetAt)).toBeNaN();
    for (const wall of [early, late]) {
      expect(berlin.toInstant(wall)).toBe(wall.toZonedDateTime("Europe/Berlin", { disambiguation: "compatible" }).epochMilliseconds);
    }
    const instant = early.toZonedDateTime("Europe/Berlin").epochMilliseconds;
    expect(berlin.toWall(instant).toString()).toBe(early.toString());
    expect(berlin.toWall(Date.UTC(2026, 6, 1, 12) + HOUR_MS).toString()).toBe("2026-07-01T15:00:00");
  });
});

import windowsZones from "cldr-core/supplemental/windowsZones.json" with { type: "json" };
import ical from "node-ical";
import { RRuleTemporal } from "rrule-temporal";
import { Temporal } from "temporal-polyfill";
import { BoundedMap, ownCopy } from "../bounded-map.ts";
import { type Component, properties, property } from "./components.ts";
import { parseTime, wallOf } from "./values.ts";
import { isTimeZone, readingOf, wallAtReading } from "./wall-clock.ts";
import { compatibleInstant, zoneOffsets } from "./zone-offsets.ts";

/** A time zone: how wall-clock readings and instants convert, both ways. */
export interface Zone {
  /** An IANA (or fixed-offset) id that Intl can show times in, when the zone is one. */
  id: string | undefined;
  /** The instant of a wall-clock reading, in epoch milliseconds (RFC 5545 §3.3.5 for gaps and overlaps). */
  toInstant(wall: Temporal.PlainDateTime): number;
  /** `toInstant` of a wall reading given as UTC milliseconds (`readingOf`), where the zone converts readings as numbers. */
  instantAt?(reading: number): number;
  /** The wall-clock reading at an instant. */
  toWall(epochMs: number): Temporal.PlainDateTime;
}

/** A calendar's VTIMEZONE blocks, looked up by TZID. */
export interface ZoneBlocks {
  get(tzid: string): Component | undefined;
}

const zoneCache = new Map<string, Zone>();

/** Conversions remembered per zone and direction (see `BoundedMap`). */
const MEMO_ENTRIES = 4096;

/** `convert` remembered by its numeric key: what many series of many feeds ask again (the window's edges, 10:00 on a weekday). */
function memoised<T, R>(key: (value: T) => number, convert: (value: T) => R): (value: T) => R {
  const memo = new BoundedMap<number, R>(MEMO_ENTRIES);
  return (value) => memo.remember(key(value), convert, value);
}

/**
 * The zone of an IANA (or `+05:30`) id, cached, and its conversions remembered: Temporal's zone
 * lookups are the hot path, and most of them repeat (Temporal values are immutable, so a
 * remembered PlainDateTime can be handed out again).
 */
export function ianaZone(name: string): Zone {
  let zone = zoneCache.get(name);
  if (!zone) {
    // Kept for the life of the process: a copy of its own, not a slice of the feed that named it.
    const id = ownCopy(name);
    // Read from Intl directly where it can be (see zone-offsets.ts), through Temporal elsewhere.
    const offsetAt = zoneOffsets(id);
    const instants = new BoundedMap<number, number>(MEMO_ENTRIES);
    // "compatible" is RFC 5545's rule: a time in a gap moves forward by the gap's length, a time
    // that occurs twice means the first of the two. A wall reading is keyed, and converted, as
    // its reading as UTC, exact to the millisecond; Temporal is asked where Intl cannot answer.
    const instantOf = (reading: number) => {
      const instant = offsetAt ? compatibleInstant(reading, offsetAt) : Number.NaN;
      return Number.isNaN(instant) ? UTC.toWall(reading).toZonedDateTime(id, { disambiguation: "compatible" }).epochMilliseconds : instant;
    };
    const instantAt = (reading: number) => instants.remember(reading, instantOf, reading);
    zone = {
      id,
      toInstant: (wall) => instantAt(UTC.toInstant(wall)),
      instantAt,
      toWall: memoised(
        (ms) => ms,
        (ms) => {
          const offset = offsetAt ? offsetAt(ms) : Number.NaN;
          return Number.isNaN(offset)
            ? Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(id).toPlainDateTime()
            : UTC.toWall(ms + offset);
        },
      ),
    };
    zoneCache.set(id, zone);
  }
  return zone;
}

/** UTC, by plain arithmetic: the wall space every rule is expanded in, so its conversions are hot. */
export const UTC: Zone = {
  id: "UTC",
  toInstant: readingOf,
  instantAt: (reading) => reading,
  // Remembered: every series of every feed of a run asks for the readings of the same window's edges.
  toWall: memoised((ms) => ms, wallAtReading),
};
zoneCache.set("UTC", UTC);

/**
 * Windows zone names ("W. Europe Standard Time", as Outlook and Exchange write them) to IANA,
 * from CLDR's windowsZones data: the "001" territory row is the zone Windows itself means.
 */
const WINDOWS_TO_IANA: ReadonlyMap<string, string> = new Map(
  windowsZones.supplemental.windowsZones.mapTimezones
    .map((row) => row.mapZone)
    .filter((zone) => zone._territory === "001")
    .map((zone) => [zone._other.toLowerCase(), zone._type.split(" ")[0] as string]),
);

/** The IANA zone CLDR maps a Windows zone name to, if it is one. */
export function windowsZone(name: string): string | undefined {
  return WINDOWS_TO_IANA.get(name.trim().toLowerCase());
}

/** Offsets like `+0100`, `-05:30` in minutes. */
function offsetMinutes(text: string): number | undefined {
  const m = /^([+-])(\d{2}):?(\d{2})(?::?(\d{2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]) + Number(m[4] ?? 0) / 60;
  return m[1] === "-" ? -minutes : minutes;
}

function fixedOffsetId(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(Math.round(minutes));
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

interface Transition {
  at: number;
  offsetFromMs: number;
  offsetToMs: number;
}

/** Outer bound for evaluating open-ended observance rules: far beyond any reminder's horizon. */
const RULE_HORIZON = Temporal.PlainDateTime.from("2200-01-01T00:00:00").toZonedDateTime("UTC");

/**
 * A zone defined only by its VTIMEZONE block (an unknown TZID such as Outlook's "Customized Time
 * Zone"): its STANDARD and DAYLIGHT observances, each an onset with TZOFFSETFROM/TZOFFSETTO
 * repeating by RRULE or RDATE (RFC 5545 §3.6.5), are evaluated into a list of transitions.
 *
 * @returns undefined when the block has no usable observance.
 */
export function vtimezoneZone(vtimezone: Component): Zone | undefined {
  const transitions: Transition[] = [];
  for (const observance of vtimezone.components) {
    if (observance.type === "STANDARD" || observance.type === "DAYLIGHT") transitions.push(...observanceTransitions(observance));
  }
  if (transitions.length === 0) return undefined;
  transitions.sort((a, b) => a.at - b.at);
  return transitionZone(transitions);
}

/** The transitions one STANDARD or DAYLIGHT observance makes: its DTSTART onset, and those of its RRULE and RDATEs. */
function observanceTransitions(observance: Component): Transition[] {
  const from = offsetMinutes(property(observance, "TZOFFSETFROM")?.value ?? "");
  const to = offsetMinutes(property(observance, "TZOFFSETTO")?.value ?? "");
  const start = property(observance, "DTSTART");
  if (from === undefined || to === undefined || !start) return [];
  let onset: Temporal.PlainDateTime;
  try {
    onset = wallOf(parseTime(start.value, undefined));
  } catch {
    return [];
  }
  const offsetFromMs = from * 60_000;
  const offsetToMs = to * 60_000;
  const onsets: Temporal.PlainDateTime[] = [onset];
  const rule = property(observance, "RRULE");
  if (rule) {
    try {
      const rrule = new RRuleTemporal({
        rruleString: `RRULE:${untilAsWall(rule.value, offsetFromMs)}`,
        dtstart: onset.toZonedDateTime("UTC"),
        maxIterations: 5_000,
      });
      for (const zdt of rrule.between(onset.toZonedDateTime("UTC"), RULE_HORIZON, true)) onsets.push(zdt.toPlainDateTime());
    } catch {
      // A broken observance rule leaves its DTSTART onset, as a zone without that rule would.
    }
  }
  for (const line of properties(observance, "RDATE")) {
    for (const item of line.value.split(",")) {
      try {
        onsets.push(wallOf(parseTime(item, undefined)));
      } catch {
        // skip the unreadable date, keep the others
      }
    }
  }
  // An onset is written in the wall time in force before it, i.e. at TZOFFSETFROM.
  return onsets.map((wall) => ({ at: wall.toZonedDateTime("UTC").epochMilliseconds - offsetFromMs, offsetFromMs, offsetToMs }));
}

/** The zone a sorted, non-empty list of transitions describes. */
function transitionZone(transitions: Transition[]): Zone {
  const first = transitions[0] as Transition;
  const offsetAt = (ms: number): number => {
    let lo = 0;
    let hi = transitions.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((transitions[mid] as Transition).at <= ms) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? first.offsetFromMs : (transitions[found] as Transition).offsetToMs;
  };
  return {
    id: undefined,
    toInstant(wall) {
      const local = wall.toZonedDateTime("UTC").epochMilliseconds;
      // Candidates: the wall reading at each offset in force around it.
      const before = offsetAt(local - 2 * 86_400_000);
      const after = offsetAt(local + 2 * 86_400_000);
      const fits = [before, after].filter((offset) => offsetAt(local - offset) === offset);
      if (fits.length > 0) return local - Math.max(...fits); // an overlap: the first of the two
      return local - before; // a gap: as far past it as the reading was into it
    },
    toWall(ms) {
      return Temporal.Instant.fromEpochMilliseconds(ms + offsetAt(ms))
        .toZonedDateTimeISO("UTC")
        .toPlainDateTime();
    },
  };
}

/** An observance's UNTIL is UTC; its onsets are expanded as wall readings, so shift it. */
function untilAsWall(rule: string, offsetMs: number): string {
  return rule.replace(/UNTIL=(\d{8}T\d{6})Z/i, (_, value: string) => {
    const wall = wallOf(parseTime(`${value}Z`, undefined))
      .toZonedDateTime("UTC")
      .add({ milliseconds: offsetMs });
    return `UNTIL=${stamp(wall.toPlainDateTime())}Z`;
  });
}

/** `YYYYMMDDTHHMMSS` of a wall reading. */
export function stamp(wall: Temporal.PlainDateTime): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(wall.year, 4)}${p(wall.month)}${p(wall.day)}T${p(wall.hour)}${p(wall.minute)}${p(wall.second)}`;
}

/** TZIDs Outlook writes for a zone that exists only in the VTIMEZONE beside it. */
const CUSTOM_TZID = /^(tzone:\/\/Microsoft\/|Customized Time Zone|\(no TZ description\))/i;

/**
 * Outlook display labels ("(UTC-05:00) Eastern Time (US & Canada)") are not in CLDR; node-ical
 * keeps a table of them. Ask it, through its parser, what zone such a TZID means.
 */
function nodeIcalZone(tzid: string): string | undefined {
  if (CUSTOM_TZID.test(tzid)) return undefined; // node-ical would answer with the process's zone
  try {
    const data = ical.sync.parseICS(
      `BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:z\r\nDTSTART;TZID="${tzid.replaceAll('"', "")}":20260101T120000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`,
    ) as Record<string, { start?: Date & { tz?: string } }>;
    const zone = data.z?.start?.tz;
    return zone && zone !== tzid && isTimeZone(zone) ? zone : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The zone a TZID names, in this order: an IANA id; a Windows name through CLDR; the calendar's
 * own VTIMEZONE block of that TZID, evaluated; an Outlook display label or a UTC-offset label.
 * `undefined` when none applies: the caller reads such times as floating and says so.
 */
export function resolveTzid(tzid: string, vtimezones: ZoneBlocks): Zone | undefined {
  // Exchange's tzone://Microsoft/<name>: the name after the prefix is the zone (Utc, a Windows name).
  const name = tzid
    .trim()
    .replace(/^"(.*)"$/, "$1")
    .replace(/^tzone:\/\/Microsoft\/(?!Custom$)/i, "");
  if (name === "") return undefined;
  if (/^(Z|UTC|GMT|Etc\/UTC|Etc\/GMT)$/i.test(name)) return UTC;
  if (!name.includes(" ") && isTimeZone(name) && !/^[+-]/.test(name)) return ianaZone(name);
  const windows = windowsZone(name);
  if (windows && isTimeZone(windows)) return ianaZone(windows);
  const block = vtimezones.get(name);
  if (block) {
    const zone = vtimezoneZone(block);
    if (zone) return zone;
  }
  const labelled = nodeIcalZone(name);
  if (labelled) return ianaZone(labelled);
  // "(UTC+02:00) Somewhere", "GMT+0200", "UTC-05:00": a fixed offset is the best reading left.
  const offset = /(?:UTC|GMT)\s*([+-]\d{1,2}(?::?\d{2})?)/i.exec(name)?.[1];
  if (offset) {
    const [, sign, hours, minutes] = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(offset) ?? [];
    if (sign && hours) {
      const total = (Number(hours) * 60 + Number(minutes ?? 0)) * (sign === "-" ? -1 : 1);
      return ianaZone(fixedOffsetId(total));
    }
  }
  return undefined;
}

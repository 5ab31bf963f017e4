// A zone's offsets read from one Intl formatter, and the conversions between wall readings and
// instants made from them. Temporal's polyfill reads the same ICU data through Intl too, but a
// conversion goes through layers of its code that, in a fresh process, run unoptimised: about
// 120–200 µs each for the first few hundred, against about 10 µs here. A cold Lambda expanding
// a calendar of six zones pays that for every series' instances.

const DAY_MS = 86_400_000;

/** Wall readings (as UTC milliseconds) that en-US writes with a four-digit year and no era. */
const EARLIEST = Date.UTC(1000, 0, 2);
const LATEST = Date.UTC(9999, 11, 30);

/**
 * The UTC milliseconds of a reading written as en-US numeric date and time with a 23-hour clock
 * (`12/2/2026, 09:30:00`): its six numbers in that order, whatever separates them. NaN unless there
 * are exactly six.
 */
export function readingMs(text: string): number {
  const parts = [0, 0, 0, 0, 0, 0];
  let count = 0;
  let inNumber = false;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit >= 0 && digit <= 9) {
      if (!inNumber) {
        if (count === 6) return Number.NaN;
        count++;
        inNumber = true;
      }
      parts[count - 1] = (parts[count - 1] as number) * 10 + digit;
    } else {
      inNumber = false;
    }
  }
  if (count !== 6) return Number.NaN;
  const [month, day, year, hour, minute, second] = parts as [number, number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  // Some ICU versions write midnight as 24: setUTCHours rolls it over to the next day.
  return date.setUTCHours(hour, minute, second, 0);
}

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
}

let formatWorks: boolean | undefined;

/** Whether this runtime writes readings as `readingMs` reads them: checked once, on a known instant. */
function formatReadable(): boolean {
  if (formatWorks === undefined) {
    const known = Date.UTC(2001, 1, 3, 4, 5, 6);
    try {
      formatWorks = readingMs(formatterOf("UTC").format(known)) === known;
    } catch {
      formatWorks = false;
    }
  }
  return formatWorks;
}

/**
 * The offset of `timeZone` at an instant, in milliseconds (NaN when it cannot be read), or
 * undefined when Intl does not know the zone or writes readings in an unexpected form.
 */
export function intlOffsets(timeZone: string): ((epochMs: number) => number) | undefined {
  if (!formatReadable()) return undefined;
  let format: Intl.DateTimeFormat;
  try {
    format = formatterOf(timeZone);
  } catch {
    return undefined;
  }
  return (epochMs) => {
    // Offsets are whole seconds; the reading is of the second the instant lies in.
    const second = Math.floor(epochMs / 1000) * 1000;
    // Outside the years en-US writes plainly, or not a number at all: not for Intl to answer.
    if (!(second >= EARLIEST - DAY_MS && second <= LATEST + DAY_MS)) return Number.NaN;
    return readingMs(format.format(second)) - second;
  };
}

/** The instants at which the wall reading `local` (as UTC milliseconds) occurs, earliest first. */
function possibleInstants(local: number, offsetAt: (epochMs: number) => number): number[] {
  // Offsets stay within a day of UTC, so the offsets in force a day either side are the candidates.
  const before = offsetAt(local - DAY_MS);
  const after = offsetAt(local + DAY_MS);
  const found: number[] = [];
  for (const offset of before === after ? [before] : [before, after]) {
    const instant = local - offset;
    if (offsetAt(instant) === offset) found.push(instant);
  }
  return found.sort((a, b) => a - b);
}

/**
 * The instant of the wall reading `local` (as UTC milliseconds) with RFC 5545's rule, Temporal's
 * "compatible": of a reading that occurs twice, the first; a reading in a gap moves forward by the
 * gap's length. NaN when the zone's offsets cannot be read there.
 */
export function compatibleInstant(local: number, offsetAt: (epochMs: number) => number): number {
  if (!(local >= EARLIEST && local <= LATEST)) return Number.NaN;
  // Most readings lie a day or more past a transition: the offset a day before places them, and
  // one more reading confirms it. That instant is also the first of a reading that occurs twice
  // (clocks going back leave the earlier offset the larger), and a reading that a forward jump
  // follows has no other. Only when it fails are both offsets tried.
  const before = offsetAt(local - DAY_MS);
  if (offsetAt(local - before) === before) return local - before;
  const possible = possibleInstants(local, offsetAt);
  if (possible.length > 0) return possible[0] as number;
  const gap = offsetAt(local + DAY_MS) - offsetAt(local - DAY_MS);
  const later = possibleInstants(local + gap, offsetAt);
  return later.length > 0 ? (later[later.length - 1] as number) : Number.NaN;
}

const offsetsByZone = new Map<string, ((epochMs: number) => number) | undefined>();

/** `intlOffsets` of a zone, made once per zone (a formatter per zone, kept for the process). */
export function zoneOffsets(timeZone: string): ((epochMs: number) => number) | undefined {
  if (!offsetsByZone.has(timeZone)) offsetsByZone.set(timeZone, intlOffsets(timeZone));
  return offsetsByZone.get(timeZone);
}

/** A DST gap: wall readings `[from, to)` (as UTC milliseconds) that do not exist in the zone. */
export interface Gap {
  from: number;
  to: number;
}

/**
 * How far apart offsets are sampled when looking for transitions: finer than Temporal's polyfill,
 * which samples most zones 19 days apart and those whose transitions lie closest (Gaza, Hebron,
 * Noronha, Recife) six days apart, so that between two samples the offset changes at most once
 * and a change is never hidden by a second one that undoes it. The test checks the gaps found
 * against Temporal's for zones of every kind.
 */
const SAMPLE_MS = 5 * DAY_MS;
/** Spans longer than this are left to Temporal's transitions (a COUNT walked over a century). */
const LONGEST_SCAN_MS = 50 * 366 * DAY_MS;

/** The first whole second in `(from, to]` whose offset is no longer `offset` (one transition lies there). */
function transitionIn(offsetAt: (epochMs: number) => number, from: number, to: number, offset: number): number {
  let lo = Math.floor(from / 1000) * 1000;
  let hi = Math.ceil(to / 1000) * 1000;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(mid) === offset) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * The gaps of a zone whose transition lies in the instants `[from, to)`, earliest first, by
 * sampling its offsets (`offsetAt`) and bisecting each change to the second. Undefined when an
 * offset cannot be read there, or the span is too long to sample.
 */
export function gapsBetween(offsetAt: (epochMs: number) => number, from: number, to: number): Gap[] | undefined {
  if (to - from > LONGEST_SCAN_MS) return undefined;
  const gaps: Gap[] = [];
  let at = from;
  let offset = offsetAt(at);
  while (at < to) {
    if (Number.isNaN(offset)) return undefined;
    const next = Math.min(at + SAMPLE_MS, to);
    const nextOffset = offsetAt(next);
    if (!Number.isNaN(nextOffset) && nextOffset !== offset) {
      const transition = transitionIn(offsetAt, at, next, offset);
      // Clocks moving forward skip the readings between the old offset and the new one.
      if (nextOffset > offset) gaps.push({ from: transition + offset, to: transition + nextOffset });
    }
    at = next;
    offset = nextOffset;
  }
  return gaps;
}

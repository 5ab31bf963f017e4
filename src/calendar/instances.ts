import type { Temporal } from "temporal-polyfill";
import { MAX_INSTANCES_PER_SERIES, ruleInstances } from "./recurrence.ts";
import { near } from "./scan.ts";
import type { EventRecord, Series } from "./series.ts";
import { resolveTzid, UTC, type Zone, type ZoneBlocks } from "./timezones.ts";
import { floatingAt, type TimeValue } from "./values.ts";
import { formatInstant } from "./wall-clock.ts";
import type { Warnings } from "./warnings.ts";
import type { SeriesWork, Steps, WorkBudget } from "./work.ts";

// One series (a recurring event with its exceptions and overrides, or a single event) into the
// instances that start in a window: where RFC 5545's exception rules live.

/** Everything one expansion needs to place a value in time. */
export interface Placement {
  /** The calendar's VTIMEZONE blocks by TZID. */
  vtimezones: ZoneBlocks;
  /** TZIDs resolved so far (kept with the parsed calendar). */
  zones: Map<string, Zone | undefined>;
  floating: Zone;
  allDay: Zone;
  warnings: Warnings;
  /** The feed's budget of instances generated. */
  work: WorkBudget;
}

export function zoneOf(value: TimeValue, place: Placement): Zone {
  if (value.kind === "utc") return UTC;
  if (value.kind !== "zoned") return place.floating;
  const { zones } = place;
  if (!zones.has(value.tzid)) zones.set(value.tzid, resolveTzid(value.tzid, place.vtimezones));
  const zone = zones.get(value.tzid);
  if (zone) return zone;
  place.warnings.add(`unknown time zone "${value.tzid}" (no VTIMEZONE for it): its times are read as floating, in ${place.floating.id}`);
  return place.floating;
}

/** The instant a date-time value names; a DATE names its midnight in the all-day zone. */
function instantOf(value: TimeValue, place: Placement): number {
  if (value.kind === "date") return place.allDay.toInstant(value.date.toPlainDateTime());
  const zone = zoneOf(value, place);
  return zone.instantAt ? zone.instantAt(value.reading) : zone.toInstant(value.wall);
}

/** The calendar day a value names, for matching an all-day instance. */
function dayOf(value: TimeValue): string {
  if (value.kind === "date") return value.date.toString();
  // A UTC value on an all-day series is the organiser's midnight: take the nearest midnight.
  if (value.kind === "utc") return value.wall.add({ hours: 12 }).toPlainDate().toString();
  return value.wall.toPlainDate().toString();
}

function durationMs(record: EventRecord, startMs: number, place: Placement): number {
  if (record.end && record.end.kind !== "date") return Math.max(0, instantOf(record.end, place) - startMs);
  return 0;
}

/** Where one instance starts and ends, before it becomes an Occurrence. */
export interface Instance {
  record: EventRecord;
  /** The instance this is, by original start: ISO instant or `YYYY-MM-DD`. */
  recurrenceId: string | undefined;
  allDay: boolean;
  /** For an all-day instance. */
  day?: Temporal.PlainDate;
  days?: number;
  /** For a timed instance, epoch ms. */
  start?: number;
  end?: number;
}

function spanDays(record: EventRecord): number {
  if (record.start.kind === "date") {
    if (record.end) {
      // DTEND is exclusive; a DATE-TIME one on a DATE start (against RFC 5545) counts by its date.
      const endDay = record.end.kind === "date" ? record.end.date : record.end.wall.toPlainDate();
      return Math.max(1, record.start.date.until(endDay, { largestUnit: "days" }).days);
    }
    if (record.duration) {
      const days = Math.floor(record.duration.total({ unit: "hours", relativeTo: record.start.date }) / 24);
      return Math.max(1, days);
    }
  }
  return 1;
}

/** A timed instance starting at the wall reading `wall` of `zone`, lasting as `record` says. */
function timedInstance(
  record: EventRecord,
  wall: Temporal.PlainDateTime,
  zone: Zone,
  place: Placement,
  recurrenceId: string | undefined,
): Instance {
  const start = zone.toInstant(wall);
  let end = start;
  if (record.duration) {
    // Weeks and days are nominal (the same wall time days later), hours and less exact.
    const d = record.duration;
    const nominal = wall.add({ weeks: d.weeks, days: d.days });
    const exact = ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000;
    end = zone.toInstant(nominal) + exact;
  } else if (record.end) {
    const firstStart = instantOf(record.start, place);
    end = start + durationMs(record, firstStart, place);
  }
  return { record, recurrenceId, allDay: false, start, end: Math.max(start, end) };
}

function allDayInstance(record: EventRecord, day: Temporal.PlainDate, recurrenceId: string | undefined): Instance {
  return { record, recurrenceId, allDay: true, day, days: spanDays(record) };
}

/** The instance an override describes, on its own dates. */
function overrideInstance(o: EventRecord, allDaySeries: boolean, place: Placement): Instance {
  const rid = o.recurrenceId as TimeValue;
  // The same id the replaced instance would have had: its day on an all-day series, else its instant.
  const id = rid.kind === "date" || allDaySeries ? dayOf(rid) : formatInstant(new Date(instantOf(rid, place)));
  if (o.start.kind === "date") return allDayInstance(o, o.start.date, id);
  if (o.duration) return timedInstance(o, o.start.wall, zoneOf(o.start, place), place, id);
  // An override is one instance: placed as any value is, by its reading where the zone can.
  const start = instantOf(o.start, place);
  return { record: o, recurrenceId: id, allDay: false, start, end: start + durationMs(o, start, place) };
}

/** A THISANDFUTURE override: the instances from `fromMs` (`fromDay`) on move as it moved its own. */
interface Future {
  override: EventRecord;
  fromMs: number;
  fromDay: string;
  /** How far it moved its own instance, in exact time. */
  shiftMs: number;
  /**
   * The same on the series' clock: Friday 10:00 moved to Monday 10:00 moves every later Friday
   * to the Monday at 10:00, a DST change in between or not.
   */
  shiftWallMs: number;
  shiftDays: number;
}

/** The instances a series' overrides replace, and the span the rule must be expanded over for the window. */
interface Overrides {
  overriddenMs: Set<number>;
  overriddenDays: Set<string>;
  /** Sorted by where they take effect. */
  futures: Future[];
  genFrom: number;
  genTo: number;
}

/**
 * The overrides of a series, one per instance: versions that name the same instance in different
 * forms (in its zone, or in UTC) replace one another as versions do, the highest SEQUENCE winning
 * (RFC 5545 §3.8.4.4, §3.8.7.4); the reading of the series can only tell equal texts apart.
 */
function currentOverrides(series: Series, place: Placement): EventRecord[] {
  const { overrides } = series;
  if (overrides.length < 2) return overrides;
  const allDaySeries = series.master?.start.kind === "date";
  const byInstance = new Map<string, EventRecord>();
  for (const o of overrides) {
    const rid = o.recurrenceId as TimeValue;
    const key = rid.kind === "date" || allDaySeries ? dayOf(rid) : String(instantOf(rid, place));
    const existing = byInstance.get(key);
    if (!existing || o.sequence >= existing.sequence) byInstance.set(key, o);
  }
  return byInstance.size === overrides.length ? overrides : [...byInstance.values()];
}

function indexOverrides(master: EventRecord | undefined, overrides: EventRecord[], from: number, to: number, place: Placement): Overrides {
  const overriddenMs = new Set<number>();
  const overriddenDays = new Set<string>();
  const futures: Future[] = [];
  for (const o of overrides) {
    const rid = o.recurrenceId as TimeValue;
    if (rid.kind === "date") overriddenDays.add(rid.date.toString());
    else overriddenMs.add(instantOf(rid, place));
    if (master?.start.kind === "date") overriddenDays.add(dayOf(rid));
    if (o.thisAndFuture) {
      const ridMs = instantOf(rid, place);
      const startMs = instantOf(o.start, place);
      const clock = master && master.start.kind !== "date" ? zoneOf(master.start, place) : UTC;
      futures.push({
        override: o,
        fromMs: ridMs,
        fromDay: dayOf(rid),
        shiftMs: startMs - ridMs,
        shiftWallMs: UTC.toInstant(clock.toWall(startMs)) - UTC.toInstant(clock.toWall(ridMs)),
        shiftDays: o.start.kind === "date" && rid.kind === "date" ? rid.date.until(o.start.date).days : 0,
      });
    }
  }
  futures.sort((a, b) => a.fromMs - b.fromMs);
  // An instance shifted by THISANDFUTURE lands in the window from outside it: generate where from,
  // a DST change's difference wider (the shift is kept on the series' clock).
  const slack = futures.length > 0 ? 2 * HOUR_MS : 0;
  const genFrom = from - Math.max(0, ...futures.map((f) => f.shiftMs)) - slack;
  const genTo = to - Math.min(0, ...futures.map((f) => f.shiftMs)) + slack;
  return { overriddenMs, overriddenDays, futures, genFrom, genTo };
}

/** What a master's rule generates, less its EXDATEs and overridden instances, moved by THISANDFUTURE. */
interface MasterExpansion {
  master: EventRecord;
  uid: string;
  overrides: Overrides;
  exMs: Set<number>;
  exDays: Set<string>;
  place: Placement;
  work: SeriesWork;
  out: Instance[];
}

function masterExpansion(
  master: EventRecord,
  uid: string,
  overrides: Overrides,
  place: Placement,
  work: SeriesWork,
  out: Instance[],
): MasterExpansion {
  const exMs = new Set<number>();
  const exDays = new Set<string>();
  const generated = { from: overrides.genFrom, to: overrides.genTo };
  for (const ex of master.exdates) {
    if (ex.kind === "date") {
      exDays.add(ex.date.toString());
      continue;
    }
    if (master.start.kind === "date") exDays.add(dayOf(ex));
    // An exception far from the span instances are generated for removes none of them: it is not
    // placed in its zone (a series of years of EXDATEs costs the zone lookups of the window alone).
    if (near(ex.reading, generated)) exMs.add(instantOf(ex, place));
  }
  return { master, uid, overrides, exMs, exDays, place, work, out };
}

/** The THISANDFUTURE override in force at an instance (by instant, or by day on an all-day series). */
function futureAt(m: MasterExpansion, ms: number, day: string): Future | undefined {
  let found: Future | undefined;
  for (const f of m.overrides.futures) if (m.master.start.kind === "date" ? f.fromDay <= day : f.fromMs <= ms) found = f;
  return found;
}

function* allDayInstances(m: MasterExpansion): Steps<void> {
  const { master, place, overrides } = m;
  const { genFrom, genTo } = overrides;
  const days: Temporal.PlainDate[] = [];
  if (master.rrule) {
    const allDayFrom = place.allDay.toWall(genFrom).toPlainDate().subtract({ days: 1 });
    const allDayTo = place.allDay.toWall(genTo).toPlainDate().add({ days: 1 });
    const counts = (wall: Temporal.PlainDateTime) => {
      const ms = place.allDay.toInstant(wall);
      return ms >= genFrom && ms < genTo;
    };
    const { walls, capped } = yield* ruleInstances(
      master,
      undefined,
      "date",
      allDayFrom.toPlainDateTime(),
      allDayTo.toPlainDateTime(),
      counts,
      m.work,
    );
    if (capped) place.warnings.add(capWarning(m.uid));
    for (const wall of walls) days.push(wall.toPlainDate());
  } else if (master.start.kind === "date") {
    days.push(master.start.date);
  }
  for (const r of master.rdates) days.push(r.start.kind === "date" ? r.start.date : r.start.wall.toPlainDate());
  const seen = new Set<string>();
  const recurrenceId = (key: string) => (master.rrule || master.rdates.length ? key : undefined);
  for (const day of days) {
    const key = day.toString();
    if (seen.has(key)) continue;
    seen.add(key);
    if (m.exDays.has(key) || overrides.overriddenDays.has(key)) continue;
    const future = futureAt(m, 0, key);
    if (future) m.out.push(allDayInstance(future.override, day.add({ days: future.shiftDays }), recurrenceId(key)));
    else m.out.push(allDayInstance(master, day, recurrenceId(key)));
  }
}

/** The wall readings a timed master starts at: its rule's in the span, and its RDATEs (with their own ends). */
function* timedStarts(m: MasterExpansion, zone: Zone): Steps<Array<{ wall: Temporal.PlainDateTime; record?: EventRecord }>> {
  const { master, place } = m;
  if (master.start.kind === "date") return [];
  const { genFrom, genTo } = m.overrides;
  const starts: Array<{ wall: Temporal.PlainDateTime; record?: EventRecord }> = [];
  if (master.rrule) {
    const zoneKey =
      master.start.kind === "zoned" ? `tz:${master.start.tzid}` : master.start.kind === "utc" ? "utc" : `floating:${place.floating.id}`;
    const { wallFrom, wallTo } = wallSpan(zone, genFrom, genTo);
    const counts = (wall: Temporal.PlainDateTime) => {
      const ms = zone.toInstant(wall);
      return ms >= genFrom && ms < genTo;
    };
    const { walls, capped } = yield* ruleInstances(master, zone, zoneKey, wallFrom, wallTo, counts, m.work);
    if (capped) place.warnings.add(capWarning(m.uid));
    for (const wall of walls) starts.push({ wall });
  } else {
    starts.push({ wall: master.start.wall });
  }
  const time = master.start.wall;
  for (const r of master.rdates) {
    // An RDATE in another zone (or a DATE one) is placed by its instant, read on the series' clock.
    const wall =
      r.start.kind === "date"
        ? r.start.date.toPlainDateTime({ hour: time.hour, minute: time.minute, second: time.second })
        : zone.toWall(instantOf(r.start, place));
    const own: EventRecord | undefined =
      r.end || r.duration
        ? { ...master, start: r.start.kind === "date" ? floatingAt(wall) : r.start, end: r.end, duration: r.duration }
        : undefined;
    starts.push(own ? { wall, record: own } : { wall });
  }
  return starts;
}

function* timedMasterInstances(m: MasterExpansion): Steps<void> {
  const { master, place, overrides } = m;
  const zone = zoneOf(master.start, place);
  const starts = yield* timedStarts(m, zone);
  const seen = new Set<number>();
  const recurring = Boolean(master.rrule || master.rdates.length);
  // Whether an instance's calendar day can remove it: most series have no day-valued exception.
  const byDay = m.exDays.size > 0 || overrides.overriddenDays.size > 0;
  for (const { wall, record } of starts) {
    const instance = timedInstance(record ?? master, wall, zone, place, undefined);
    const startMs = instance.start as number;
    if (seen.has(startMs)) continue;
    seen.add(startMs);
    const day = byDay ? wall.toPlainDate().toString() : "";
    if (m.exMs.has(startMs) || m.exDays.has(day)) continue;
    if (overrides.overriddenMs.has(startMs) || overrides.overriddenDays.has(day)) continue;
    instance.recurrenceId = recurring ? formatInstant(new Date(startMs)) : undefined;
    const future = futureAt(m, startMs, day);
    if (future) {
      const moved = UTC.toWall(UTC.toInstant(wall) + future.shiftWallMs);
      m.out.push(timedInstance(future.override, moved, zone, place, instance.recurrenceId));
    } else m.out.push(instance);
  }
}

/** A single timed event whose start lies more than a day from the window: no offset moves it in. */
function farSingle(master: EventRecord, overrides: Overrides, from: number, to: number): boolean {
  if (master.start.kind === "date" || master.rrule || master.rdates.length > 0 || overrides.futures.length > 0) return false;
  const roughly = master.start.reading;
  return roughly + DAY_MS + HOUR_MS < from || roughly - DAY_MS - HOUR_MS >= to;
}

/**
 * Expands one series into the instances that can start in the window (the caller keeps those that
 * do), in steps, spending the feed's work budget; says in warnings when the cap cut it short.
 */
export function* expandSeries(series: Series, from: number, to: number, place: Placement, out: Instance[]): Steps<void> {
  const { master } = series;
  const current = currentOverrides(series, place);
  const overrides = indexOverrides(master, current, from, to, place);
  if (master && !farSingle(master, overrides, from, to)) {
    const work = place.work.forEvent(series.uid, () => master.text.summary);
    const m = masterExpansion(master, series.uid, overrides, place, work, out);
    if (master.start.kind === "date") yield* allDayInstances(m);
    else yield* timedMasterInstances(m);
  }
  for (const o of current) out.push(overrideInstance(o, master?.start.kind === "date", place));
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The wall readings whose instants can fall in `[from, to)`: the window shifted by the zone's
 * offsets around its edges, an hour wider for a DST change at the edge. Kept tight, so a
 * secondly rule over a five-minute window generates minutes of instances, not days.
 */
function wallSpan(zone: Zone, from: number, to: number): WallSpan {
  // Every series of a zone is asked for the same window: the last answer per zone is kept.
  const last = lastSpans.get(zone);
  if (last?.from === from && last.to === to) return last.span;
  const span = readWallSpan(zone, from, to);
  lastSpans.set(zone, { from, to, span });
  return span;
}

interface WallSpan {
  wallFrom: Temporal.PlainDateTime;
  wallTo: Temporal.PlainDateTime;
}

const lastSpans = new WeakMap<Zone, { from: number; to: number; span: WallSpan }>();

function readWallSpan(zone: Zone, from: number, to: number): WallSpan {
  // UTC has no offsets to read: most feeds write their times in it.
  const offsets =
    zone === UTC
      ? [0]
      : [from - DAY_MS, from, from + DAY_MS, to - DAY_MS, to, to + DAY_MS].map((ms) => UTC.toInstant(zone.toWall(ms)) - ms);
  return {
    wallFrom: UTC.toWall(from + Math.min(...offsets) - HOUR_MS),
    wallTo: UTC.toWall(to + Math.max(...offsets) + HOUR_MS),
  };
}

function capWarning(uid: string): string {
  return `event ${uid || "(no UID)"}: more than ${MAX_INSTANCES_PER_SERIES} occurrences in the window; only the first ${MAX_INSTANCES_PER_SERIES} are kept`;
}

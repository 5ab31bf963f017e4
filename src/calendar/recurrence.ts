import { RRuleTemporal } from "rrule-temporal";
import { Temporal } from "temporal-polyfill";
import type { EventRecord } from "./series.ts";
import { stamp, type Zone } from "./timezones.ts";
import { parseTime, type TimeValue } from "./values.ts";

/** At most this many instances of one series come out of one expansion; more are reported. */
export const MAX_INSTANCES_PER_SERIES = 1_000;
/** At most this many instances are generated for one series in one expansion, in or out of the window. */
const MAX_GENERATED = 20 * MAX_INSTANCES_PER_SERIES;
/** rrule-temporal's own bound on the periods it walks through for one query. */
const MAX_ITERATIONS = 100_000;

/** Wall-clock readings (or days) of a rule's instances in a span, and whether the cap cut them. */
export interface RuleInstances {
  walls: Temporal.PlainDateTime[];
  capped: boolean;
}

const ruleCache = new WeakMap<EventRecord, Map<string, RRuleTemporal>>();

/**
 * The rule of a series, expanded on wall-clock readings: rrule-temporal runs in UTC, which has no
 * DST, so "every day at 09:00" stays at 09:00 whatever the zone does, and the readings are placed
 * in the series' zone afterwards (RFC 5545 §3.3.10: recurrence is on local time).
 */
function ruleOf(master: EventRecord, zone: Zone | undefined, zoneKey: string): RRuleTemporal {
  let byZone = ruleCache.get(master);
  if (!byZone) {
    byZone = new Map();
    ruleCache.set(master, byZone);
  }
  let rule = byZone.get(zoneKey);
  if (!rule) {
    const start = master.start.kind === "date" ? master.start.date.toPlainDateTime() : master.start.wall;
    rule = new RRuleTemporal({
      rruleString: `RRULE:${untilAsWall(master.rrule as string, master.start, zone)}`,
      dtstart: start.toZonedDateTime("UTC"),
      // RFC 5545 §3.8.5.3: DTSTART is the first instance even where it does not match the rule.
      includeDtstart: true,
      maxIterations: MAX_ITERATIONS,
    });
    byZone.set(zoneKey, rule);
  }
  return rule;
}

/**
 * Rewrites UNTIL as a wall reading in the series' zone, the space the rule is expanded in.
 * A UTC UNTIL is converted; a local one is already a reading; a DATE means through that day. On
 * an all-day series a UTC UNTIL (Outlook writes the organiser's midnight in UTC) means the day
 * whose midnight is nearest to it.
 */
function untilAsWall(rule: string, start: TimeValue, zone: Zone | undefined): string {
  return rule.replace(/UNTIL=([0-9TZtz]+)/, (whole, value: string) => {
    let until: TimeValue;
    try {
      until = parseTime(value, undefined);
    } catch {
      return whole;
    }
    if (until.kind === "date") return `UNTIL=${until.date.toString().replaceAll("-", "")}T235959Z`;
    if (start.kind === "date") {
      const wall = until.wall;
      const day =
        until.kind === "utc" && !(wall.hour === 23 && wall.minute === 59)
          ? wall.add({ hours: 12 }).toPlainDate()
          : wall.toPlainDate();
      return `UNTIL=${day.toString().replaceAll("-", "")}T235959Z`;
    }
    if (until.kind === "utc" && zone) {
      const ms = until.wall.toZonedDateTime("UTC").epochMilliseconds;
      return `UNTIL=${stamp(zone.toWall(ms))}Z`;
    }
    return `UNTIL=${stamp(until.wall)}Z`;
  });
}

function isSubDaily(rule: string): boolean {
  return /FREQ=(HOURLY|MINUTELY|SECONDLY)/i.test(rule) || /BY(HOUR|MINUTE|SECOND)=[^;]*,/i.test(rule);
}

/**
 * The instances of a series' rule whose wall reading lies in `[from, to]`, stopping once
 * MAX_INSTANCES_PER_SERIES of them satisfy `counts` (fall in the caller's window). Sub-daily rules are walked a day at a time, so a minutely rule
 * over a year stops at the cap instead of building half a million instants first.
 *
 * @throws Error from rrule-temporal when the rule cannot be expanded within its iteration bound.
 */
export function ruleInstances(
  master: EventRecord,
  zone: Zone | undefined,
  zoneKey: string,
  from: Temporal.PlainDateTime,
  to: Temporal.PlainDateTime,
  counts: (wall: Temporal.PlainDateTime) => boolean,
): RuleInstances {
  const rule = ruleOf(master, zone, zoneKey);
  const walls: Temporal.PlainDateTime[] = [];
  // RFC 5545 §3.8.5.3: DTSTART always counts as the first instance, even past UNTIL.
  const first = master.start.kind === "date" ? master.start.date.toPlainDateTime() : master.start.wall;
  if (Temporal.PlainDateTime.compare(first, from) >= 0 && Temporal.PlainDateTime.compare(first, to) <= 0) {
    walls.push(first);
  }
  const rrule = master.rrule as string;
  const step = /FREQ=SECONDLY/i.test(rrule) ? { hours: 1 } : isSubDaily(rrule) ? { days: 1 } : undefined;
  let counted = walls.length > 0 && counts(walls[0] as Temporal.PlainDateTime) ? 1 : 0;
  let chunkFrom = from;
  while (Temporal.PlainDateTime.compare(chunkFrom, to) <= 0) {
    const chunkTo = step ? Temporal.PlainDateTime.compare(chunkFrom.add(step), to) < 0 ? chunkFrom.add(step) : to : to;
    for (const zdt of rule.between(chunkFrom.toZonedDateTime("UTC"), chunkTo.toZonedDateTime("UTC"), true)) {
      const wall = zdt.toPlainDateTime();
      // Chunks share their edges; keep each reading once.
      const last = walls[walls.length - 1];
      if (last && Temporal.PlainDateTime.compare(last, wall) >= 0) continue;
      if (Temporal.PlainDateTime.compare(wall, first) < 0) continue;
      walls.push(wall);
      if (counts(wall) && ++counted >= MAX_INSTANCES_PER_SERIES) return { walls, capped: true };
      if (walls.length >= MAX_GENERATED) return { walls, capped: true };
    }
    if (!step) break;
    chunkFrom = chunkTo.add({ nanoseconds: 1 });
  }
  return { walls, capped: false };
}

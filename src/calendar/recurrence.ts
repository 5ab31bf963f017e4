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

const ruleCache = new WeakMap<EventRecord, Map<string, { rule: RRuleTemporal; zoneId: string }>>();

/**
 * The rule of a series, with the zone rrule-temporal runs it in. A timed series in a named zone
 * (IANA, a fixed offset, or the floating zone) runs in that zone: rrule-temporal keeps the wall
 * time across DST and, as RFC 5545 §3.3.10 requires, ignores instances whose local time does not
 * exist (and does not count them for COUNT). All-day series, and zones known only from a VTIMEZONE
 * block, run on wall-clock readings in UTC, placed in their zone afterwards.
 */
function ruleOf(master: EventRecord, zone: Zone | undefined, zoneKey: string): { rule: RRuleTemporal; zoneId: string } {
  let byZone = ruleCache.get(master);
  if (!byZone) {
    byZone = new Map();
    ruleCache.set(master, byZone);
  }
  let entry = byZone.get(zoneKey);
  if (!entry) {
    const start = master.start.kind === "date" ? master.start.date.toPlainDateTime() : master.start.wall;
    const zoneId = master.start.kind !== "date" && zone?.id ? zone.id : "UTC";
    const rule = new RRuleTemporal({
      rruleString: `RRULE:${untilFor(master.rrule as string, master.start, zone, zoneId)}`,
      dtstart: start.toZonedDateTime(zoneId, { disambiguation: "compatible" }),
      // RFC 5545 §3.8.5.3: DTSTART is the first instance even where it does not match the rule.
      includeDtstart: true,
      maxIterations: MAX_ITERATIONS,
    });
    entry = { rule, zoneId };
    byZone.set(zoneKey, entry);
  }
  return entry;
}

const utcStamp = (ms: number) => `${stamp(Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO("UTC").toPlainDateTime())}Z`;

/**
 * Rewrites UNTIL for the zone the rule runs in. In a named zone UNTIL becomes the UTC instant it
 * means: a local UNTIL (against RFC 5545, but common) is read in the series' zone, a DATE means
 * through the end of that day. On wall-clock readings it becomes a reading. On an all-day series a
 * UTC UNTIL (Outlook writes the organiser's midnight in UTC) means the day whose midnight is
 * nearest to it.
 */
function untilFor(rule: string, start: TimeValue, zone: Zone | undefined, zoneId: string): string {
  return rule.replace(/UNTIL=([0-9TZtz]+)/, (whole, value: string) => {
    let until: TimeValue;
    try {
      until = parseTime(value, undefined);
    } catch {
      return whole;
    }
    if (start.kind === "date") {
      const wall = until.kind === "date" ? until.date.toPlainDateTime() : until.wall;
      const day =
        until.kind === "utc" && !(wall.hour === 23 && wall.minute === 59)
          ? wall.add({ hours: 12 }).toPlainDate()
          : wall.toPlainDate();
      return `UNTIL=${day.toString().replaceAll("-", "")}T235959Z`;
    }
    const wall = until.kind === "date" ? until.date.toPlainDateTime({ hour: 23, minute: 59, second: 59 }) : until.wall;
    if (zoneId !== "UTC" || !zone || zone.id === "UTC") {
      // The rule runs on real instants.
      if (until.kind === "utc") return `UNTIL=${stamp(wall)}Z`;
      return `UNTIL=${utcStamp((zone ?? UTC_WALL).toInstant(wall))}`;
    }
    // The rule runs on wall readings of a VTIMEZONE-defined zone.
    if (until.kind === "utc") return `UNTIL=${stamp(zone.toWall(wall.toZonedDateTime("UTC").epochMilliseconds))}Z`;
    return `UNTIL=${stamp(wall)}Z`;
  });
}

const UTC_WALL: Pick<Zone, "toInstant"> = { toInstant: (wall) => wall.toZonedDateTime("UTC").epochMilliseconds };

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
  const { rule, zoneId } = ruleOf(master, zone, zoneKey);
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
    const after = chunkFrom.toZonedDateTime(zoneId, { disambiguation: "earlier" });
    const before = chunkTo.toZonedDateTime(zoneId, { disambiguation: "later" });
    for (const zdt of rule.between(after, before, true)) {
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

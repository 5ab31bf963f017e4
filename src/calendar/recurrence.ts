import { RRuleTemporal } from "rrule-temporal";
import { Temporal } from "temporal-polyfill";
import { isSubDaily, limitInstances, periodStart, planRule, type RulePlan, stepsBefore } from "./rule.ts";
import type { EventRecord } from "./series.ts";
import { type SimpleRule, simpleCountEnd, simpleInstances, simpleRuleOf } from "./simple-rule.ts";
import { stamp, UTC, type Zone } from "./timezones.ts";
import { parseTime, type TimeValue } from "./values.ts";
import type { SeriesWork, Steps } from "./work.ts";

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

/** A series' rule as expanded: its plan, the zone it runs in, and what was learnt of it so far. */
interface Expander {
  plan: RulePlan;
  /** The plan's rule with UNTIL rewritten for the zone. */
  text: string;
  zoneId: string;
  /** DTSTART in the zone the rule runs in (placed when first read), and its wall reading. */
  readonly start: Temporal.ZonedDateTime;
  first: Temporal.PlainDateTime;
  /** Rules started at period boundaries, by the number of INTERVAL steps from DTSTART's period. */
  rules: Map<number, RRuleTemporal>;
  /** COUNT: the last instance, once the walk from DTSTART has reached it. */
  last: Temporal.PlainDateTime | undefined;
  /** COUNT: how far the walk from DTSTART has gone without reaching the last instance. */
  walk: CountWalk | undefined;
  /** The rule as a plain daily or weekly one, expanded without rrule-temporal; undefined when it is not one. */
  simple: SimpleRule | undefined;
  /**
   * A zone with DST whose rule runs on wall readings in UTC (one known only from a VTIMEZONE, or
   * any for a sub-daily rule): an instance its DST gap skips does not exist there, and is dropped
   * and not counted here (RFC 5545 §3.3.10).
   */
  wallZone: Zone | undefined;
}

/** Whether a zone's offset differs between January and July of `year`: whether it has DST gaps to mind. */
function changesOffset(zone: Zone, year: number): boolean {
  const offset = (ms: number) => UTC.toInstant(zone.toWall(ms)) - ms;
  return offset(Date.UTC(year, 0, 15)) !== offset(Date.UTC(year, 6, 15));
}

/** Whether a wall reading exists on the clocks the rule's instances are placed on (`Expander.wallZone`). */
function exists(expander: Expander, wall: Temporal.PlainDateTime): boolean {
  const zone = expander.wallZone;
  return !zone || Temporal.PlainDateTime.compare(zone.toWall(zone.toInstant(wall)), wall) === 0;
}

/** An `Expander`; a class, so that its getter lies on the prototype (an object literal with one is a dictionary in V8). */
class RuleExpander implements Expander {
  readonly plan: RulePlan;
  readonly text: string;
  readonly zoneId: string;
  readonly first: Temporal.PlainDateTime;
  readonly rules = new Map<number, RRuleTemporal>();
  last: Temporal.PlainDateTime | undefined = undefined;
  walk: CountWalk | undefined = undefined;
  readonly simple: SimpleRule | undefined;
  readonly wallZone: Zone | undefined;
  #start: Temporal.ZonedDateTime | undefined;

  constructor(
    plan: RulePlan,
    text: string,
    zoneId: string,
    first: Temporal.PlainDateTime,
    simple: SimpleRule | undefined,
    wallZone: Zone | undefined,
  ) {
    this.plan = plan;
    this.text = text;
    this.zoneId = zoneId;
    this.first = first;
    this.simple = simple;
    this.wallZone = wallZone;
  }

  /** Placed in its zone when rrule-temporal first needs it: a plain rule's instances are found by day arithmetic. */
  get start(): Temporal.ZonedDateTime {
    this.#start ??= this.first.toZonedDateTime(this.zoneId, { disambiguation: "compatible" });
    return this.#start;
  }
}

const expanders = new WeakMap<EventRecord, Map<string, Expander>>();
/** Rules kept per series: windows of one run and of the next runs fall in a few periods. */
const MAX_RULES_PER_SERIES = 4;

/**
 * The rule of a series, with the zone rrule-temporal runs it in. A timed series in a named zone
 * (IANA, a fixed offset, or the floating zone) runs in that zone: rrule-temporal keeps the wall
 * time across DST and, as RFC 5545 §3.3.10 requires, ignores instances whose local time does not
 * exist (and does not count them for COUNT). All-day series, sub-daily rules in a zone with DST,
 * and zones known only from a VTIMEZONE block, run on wall-clock readings in UTC, placed in their
 * zone afterwards.
 */
function expanderOf(master: EventRecord, zone: Zone | undefined, zoneKey: string): Expander {
  let byZone = expanders.get(master);
  if (!byZone) {
    byZone = new Map();
    expanders.set(master, byZone);
  }
  let expander = byZone.get(zoneKey);
  if (!expander) {
    const first = master.start.kind === "date" ? master.start.date.toPlainDateTime() : master.start.wall;
    // DTSTART's reading has the date and time fields the plan reads: no PlainDate or PlainTime is made of it.
    const plan = planRule(master.rrule as string, first, master.start.kind === "date" ? undefined : first);
    // Hours, minutes and seconds are counted on the zone's clock, as the days of a longer rule are
    // (RFC 5545 §3.3.10 computes local times, and drops those a DST gap skips): rrule-temporal
    // steps a sub-daily rule in a named zone by elapsed time, so after a DST change every instance
    // would move an hour. Such rules run on wall readings, as a VTIMEZONE-defined zone's do.
    const onWalls = master.start.kind !== "date" && zone && (!zone.id || isSubDaily(plan));
    const wallZone = onWalls && changesOffset(zone, first.year) ? zone : undefined;
    const zoneId = master.start.kind !== "date" && zone?.id && !wallZone ? zone.id : "UTC";
    const text = untilFor(plan.text, master.start, zone, zoneId);
    // The arithmetic of plain rules knows IANA zones' gaps only: a VTIMEZONE's are checked instance by instance.
    expander = new RuleExpander(plan, text, zoneId, first, wallZone ? undefined : simpleRuleOf(plan, text), wallZone);
    byZone.set(zoneKey, expander);
  }
  return expander;
}

/**
 * rrule-temporal's rule started at the boundary `steps` INTERVALs after DTSTART's period, and that
 * boundary. A boundary whose wall time a DST gap skips moves a step back — to the period before
 * DTSTART's at most, whose instances before DTSTART the callers drop — so rrule-temporal never
 * takes a shifted time of day as the series' own.
 */
function ruleFrom(expander: Expander, steps: number): { rule: RRuleTemporal; from: Temporal.ZonedDateTime } {
  const { plan, start, first } = expander;
  let at = steps;
  let boundary = periodStart(plan, start, first, at);
  while (!boundary.exists && at > -1) boundary = periodStart(plan, start, first, --at);
  const from = boundary.exists ? boundary.at : start;
  let rule = expander.rules.get(at);
  if (!rule) {
    rule = new RRuleTemporal({
      rruleString: `RRULE:${expander.text}`,
      dtstart: from,
      includeDtstart: false,
      maxIterations: MAX_ITERATIONS,
    });
    if (expander.rules.size >= MAX_RULES_PER_SERIES) expander.rules.delete(expander.rules.keys().next().value as number);
    expander.rules.set(at, rule);
  }
  return { rule, from };
}

/** How far one step of a COUNT walk reaches, by frequency: a few thousand instances of a plain rule. */
const WALK_SPAN: Record<RulePlan["freq"], Temporal.DurationLike> = {
  SECONDLY: { minutes: 10 },
  MINUTELY: { hours: 12 },
  HOURLY: { days: 30 },
  DAILY: { years: 2 },
  WEEKLY: { years: 10 },
  MONTHLY: { years: 50 },
  YEARLY: { years: 500 },
};

/** A walk stops here: far past any window, within what Temporal can hold. */
const LAST_WALL = new Temporal.PlainDateTime(9999, 12, 31);

/** Where a COUNT walk from DTSTART has got to: resumed by the next window that reaches further. */
interface CountWalk {
  /** Instances counted so far, DTSTART included. */
  counted: number;
  /** Steps taken: the first covers one period, each next one twice as many, up to `WALK_SPAN`. */
  steps: number;
  /** The next step starts here (a year's start when BYSETPOS picks within years). */
  next: Temporal.PlainDateTime;
}

/**
 * COUNT: the last instance, walking from DTSTART (which is the first instance and counts, RFC
 * 5545 §3.8.5.3), or undefined when COUNT does not end the series by `to`. The walk goes a span
 * at a time, each from the period boundary before it (the set stays as it is from DTSTART), counts
 * what it generates against `work`, and yields between spans; it resumes where it stopped when a
 * later window reaches further.
 */
function* lastCounted(expander: Expander, to: Temporal.PlainDateTime, work: SeriesWork): Steps<Temporal.PlainDateTime | undefined> {
  const { plan, first, zoneId } = expander;
  const count = plan.count as number;
  if (expander.last) return expander.last;
  const arithmetic = expander.simple ? simpleCountEnd(expander.simple, count, first, zoneId, to) : undefined;
  if (arithmetic) {
    if ("pastTo" in arithmetic) return undefined;
    expander.last = arithmetic.last;
    return arithmetic.last;
  }
  if (count <= 1) {
    expander.last = first;
    return first;
  }
  // BYSETPOS done here picks within whole years: walk whole years.
  const byYears = plan.setPositions !== undefined;
  expander.walk ??= { counted: 1, steps: 0, next: byYears ? new Temporal.PlainDate(first.year, 1, 1).toPlainDateTime() : first };
  const walk = expander.walk;
  const widest = byYears && isSubDaily(plan) ? { years: 1 } : scaled(WALK_SPAN[plan.freq], plan.interval);
  while (Temporal.PlainDateTime.compare(walk.next, to) <= 0) {
    // A COUNT of three every Tuesday and Thursday of the year ends in its first weeks: the walk
    // starts with one period and doubles, rather than generate centuries of instances at once.
    let stepTo = walk.next.add(stepSpan(plan, widest, walk.steps++, byYears));
    if (byYears) stepTo = new Temporal.PlainDate(stepTo.year, 1, 1).toPlainDateTime();
    if (Temporal.PlainDateTime.compare(stepTo, LAST_WALL) > 0) stepTo = LAST_WALL;
    const after = walk.next.toZonedDateTime(zoneId, { disambiguation: "earlier" });
    const before = stepTo.toZonedDateTime(zoneId, { disambiguation: "earlier" });
    const { rule } = ruleFrom(expander, stepsBefore(plan, expander.start, after));
    const found = rule.between(after, before, true);
    work.spend(found.length + 1);
    for (const wall of limitInstances(
      plan,
      found.map((zdt) => zdt.toPlainDateTime()),
    )) {
      // Steps share their edges: an instance at a step's end is the next step's.
      if (Temporal.PlainDateTime.compare(wall, stepTo) >= 0 || Temporal.PlainDateTime.compare(wall, walk.next) < 0) continue;
      if (Temporal.PlainDateTime.compare(wall, first) <= 0 || !exists(expander, wall)) continue;
      if (++walk.counted >= count) {
        expander.last = wall;
        return wall;
      }
    }
    if (Temporal.PlainDateTime.compare(stepTo, LAST_WALL) >= 0) break;
    walk.next = stepTo;
    yield;
  }
  return undefined;
}

/** The span of a COUNT walk's step `step`: 2^step periods of the rule (whole years when `byYears`), at most `widest`. */
function stepSpan(plan: RulePlan, widest: Temporal.DurationLike, step: number, byYears: boolean): Temporal.DurationLike {
  if (step >= 30) return widest;
  const unit = byYears ? "years" : PERIOD_UNIT[plan.freq];
  const [widestUnit, widestAmount] = Object.entries(widest)[0] as [string, number];
  const periods = plan.interval * 2 ** step;
  // Compared in the widest span's unit where both are calendar units of one kind; else it is taken whole.
  const inWidest = convert(periods, unit, widestUnit);
  return inWidest === undefined || inWidest >= widestAmount ? widest : { [unit]: periods };
}

/** A rule's period as a Temporal unit. */
const PERIOD_UNIT: Record<RulePlan["freq"], string> = {
  SECONDLY: "seconds",
  MINUTELY: "minutes",
  HOURLY: "hours",
  DAILY: "days",
  WEEKLY: "weeks",
  MONTHLY: "months",
  YEARLY: "years",
};

/** Roughly how many `to` a number of `from` is (for comparing spans only); undefined across calendar and clock units. */
function convert(amount: number, from: string, to: string): number | undefined {
  const seconds: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400, weeks: 604_800 };
  const months: Record<string, number> = { months: 1, years: 12 };
  if (from in seconds && to in seconds) return (amount * (seconds[from] as number)) / (seconds[to] as number);
  if (from in months && to in months) return (amount * (months[from] as number)) / (months[to] as number);
  if (from in seconds && to in months) return (amount * (seconds[from] as number)) / (86_400 * 31 * (months[to] as number));
  return undefined;
}

function scaled(span: Temporal.DurationLike, times: number): Temporal.DurationLike {
  return Object.fromEntries(Object.entries(span).map(([unit, n]) => [unit, (n as number) * times]));
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
        until.kind === "utc" && !(wall.hour === 23 && wall.minute === 59) ? wall.add({ hours: 12 }).toPlainDate() : wall.toPlainDate();
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

/**
 * Whether a rule names more than one hour, minute or second (`BYHOUR=9,17`): read part by part,
 * so a rule of any length is one pass.
 */
function namesManyTimes(rule: string): boolean {
  return rule.split(";").some((part) => /^\s*BY(HOUR|MINUTE|SECOND)\s*=/i.test(part) && part.includes(","));
}

/**
 * The instances of a series' rule whose wall reading lies in `[from, to]`, stopping once
 * MAX_INSTANCES_PER_SERIES of them satisfy `counts` (fall in the caller's window). Expansion
 * starts at the last period boundary before `from` that keeps the set as it is from DTSTART; a
 * COUNT series is walked from DTSTART once, to find its last instance. Sub-daily rules are walked a
 * day at a time, so a minutely rule over a year stops at the cap instead of building half a million
 * instants first.
 *
 * @throws Error from rrule-temporal when the rule cannot be expanded within its iteration bound.
 */
export function* ruleInstances(
  master: EventRecord,
  zone: Zone | undefined,
  zoneKey: string,
  from: Temporal.PlainDateTime,
  to: Temporal.PlainDateTime,
  counts: (wall: Temporal.PlainDateTime) => boolean,
  work: SeriesWork,
): Steps<RuleInstances> {
  const expander = expanderOf(master, zone, zoneKey);
  const { plan, first, zoneId } = expander;
  const walls: Temporal.PlainDateTime[] = [];
  // RFC 5545 §3.8.5.3: DTSTART always counts as the first instance, even past UNTIL.
  if (Temporal.PlainDateTime.compare(first, from) >= 0 && Temporal.PlainDateTime.compare(first, to) <= 0) {
    walls.push(first);
  }
  let counted = walls.length > 0 && counts(walls[0] as Temporal.PlainDateTime) ? 1 : 0;
  let until = to;
  if (plan.count !== undefined) {
    const last = yield* lastCounted(expander, to, work);
    if (last && Temporal.PlainDateTime.compare(last, until) < 0) until = last;
  }
  if (Temporal.PlainDateTime.compare(until, from) < 0 || Temporal.PlainDateTime.compare(until, first) <= 0) return { walls, capped: false };
  if (expander.simple) {
    const found = simpleInstances(expander.simple, first, from, until, zone, zoneId, MAX_GENERATED);
    work.spend(found.length + 1);
    for (const wall of found) {
      walls.push(wall);
      if (counts(wall) && ++counted >= MAX_INSTANCES_PER_SERIES) return { walls, capped: true };
    }
    return { walls, capped: walls.length >= MAX_GENERATED };
  }
  const fromZoned = from.toZonedDateTime(zoneId, { disambiguation: "earlier" });
  const { rule, from: ruleStart } = ruleFrom(expander, stepsBefore(plan, expander.start, fromZoned));
  // Sub-daily rules, and calendar rules with many times a day, are asked a day (secondly ones ten minutes) at a time
  // from `from`: rrule-temporal moves its start by whole periods to each. Others are asked once,
  // from their boundary, so that it does not move it again.
  const manyADay = namesManyTimes(expander.text) && !plan.periodBefore && !plan.setPositions;
  const step = plan.freq === "SECONDLY" ? { minutes: 10 } : isSubDaily(plan) || manyADay ? { days: 1 } : undefined;
  // BYSETPOS done here picks within whole years: expand to the end of the last one.
  const end = plan.setPositions ? new Temporal.PlainDate(until.year + 1, 1, 1).toPlainDateTime() : until;
  let chunkFrom = step ? from : ruleStart.toPlainDateTime();
  while (Temporal.PlainDateTime.compare(chunkFrom, end) <= 0) {
    const chunkTo = step ? (Temporal.PlainDateTime.compare(chunkFrom.add(step), end) < 0 ? chunkFrom.add(step) : end) : end;
    const after =
      Temporal.PlainDateTime.compare(chunkFrom, ruleStart.toPlainDateTime()) === 0
        ? ruleStart
        : chunkFrom.toZonedDateTime(zoneId, { disambiguation: "earlier" });
    const before = chunkTo.toZonedDateTime(zoneId, { disambiguation: "later" });
    const found = rule.between(after, before, true).map((zdt) => zdt.toPlainDateTime());
    work.spend(found.length + 1);
    for (const wall of limitInstances(plan, found)) {
      if (Temporal.PlainDateTime.compare(wall, from) < 0 || Temporal.PlainDateTime.compare(wall, until) > 0) continue;
      // Chunks share their edges; keep each reading once.
      const last = walls[walls.length - 1];
      if (last && Temporal.PlainDateTime.compare(last, wall) >= 0) continue;
      if (Temporal.PlainDateTime.compare(wall, first) < 0) continue;
      if (Temporal.PlainDateTime.compare(wall, first) > 0 && !exists(expander, wall)) continue;
      walls.push(wall);
      if (counts(wall) && ++counted >= MAX_INSTANCES_PER_SERIES) return { walls, capped: true };
      if (walls.length >= MAX_GENERATED) return { walls, capped: true };
    }
    if (!step) break;
    chunkFrom = chunkTo.add({ nanoseconds: 1 });
    yield;
  }
  return { walls, capped: false };
}

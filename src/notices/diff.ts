import type { Occurrence } from "../calendar/occurrence.ts";
import { DAY_MS, MINUTE_MS } from "../reminders/durations.ts";
import type { NoticePolicy } from "../reminders/feed.ts";
import { entryOf, occurrenceKey, type Snapshot, type SnapshotEntry, uidHash } from "./snapshot.ts";

/** What happened to an upcoming occurrence since the channel was last told. */
export type ChangeKind = "added" | "moved" | "retitled" | "cancelled";

/** One change to announce: `added` or `cancelled` alone, or `moved` and/or `retitled`. */
export interface Notice {
  /** The ledger's identity of it: feed, occurrence, change, and the values before and after. */
  id: string;
  feedId: string;
  /** The occurrence's key in the snapshot. */
  key: string;
  /**
   * Its key once the notice is out: `key`, but for an instance of a series that moved as a whole
   * (a new DTSTART gives every instance a new RECURRENCE-ID), that of the instance it became.
   */
  afterKey: string;
  kinds: ChangeKind[];
  /** As the channel knew it; absent for `added`. */
  before: SnapshotEntry | undefined;
  /** As it is now; absent for `cancelled`. */
  after: SnapshotEntry | undefined;
}

/** A feed as read this run. */
export interface Reading {
  /** Its occurrences over `readingSpan` (cancelled ones never appear). */
  occurrences: readonly Occurrence[];
  /** VEVENTs in the text, cancelled ones included. */
  eventCount: number;
  textHash: string | undefined;
  /** The text ended before END:VCALENDAR. */
  cutShort: boolean;
  /** UIDs of events that could not be read: the reading says nothing about them. */
  skipped: readonly string[];
}

export interface PlanOptions {
  feedId: string;
  /** The run's reference time: the horizon is `[now, now + horizonDays)`. */
  now: Date;
  policy: NoticePolicy;
  /** Whether the feed's include/exclude patterns let a title through. */
  wanted: (title: string) => boolean;
}

/** What a run announces for one feed, and the snapshot it leaves. */
export interface NoticePlan {
  notices: Notice[];
  /** Why the reading was not compared (cut short, a big drop), for the run's errors. */
  suspect: string | undefined;
  /**
   * The snapshot to store once the notices whose ids are in `delivered` are out (posted, or
   * found posted by another run); undefined when the stored one still holds. A notice not
   * delivered stays pending, so the next run tries again while it is relevant.
   */
  next(delivered: ReadonlySet<string>): Snapshot | undefined;
}

/**
 * The horizon's end is moved on at least this often even when nothing else changed, so few writes
 * are made; an event added within this last slice of the horizon of an unchanged feed is taken
 * as having entered it by time passing.
 */
const ROLL_MS = 60 * MINUTE_MS;
/** A drop to under half the events, of a feed with at least this many, is taken as cut short. */
const DROP_FLOOR = 4;
/** A big drop seen this many reads in a row, the same text each time, is taken as real. */
const DROP_READS = 3;

/**
 * The span a reading expands: a day back, so an occurrence moved to earlier today is found moved
 * rather than gone, and two horizons ahead, so one moved out of the horizon is found moved too.
 */
export function readingSpan(now: Date, policy: NoticePolicy): { from: Date; to: Date } {
  return { from: new Date(now.getTime() - DAY_MS), to: new Date(now.getTime() + 2 * policy.horizonDays * DAY_MS) };
}

function horizonOf(now: Date, policy: NoticePolicy): number {
  return now.getTime() + policy.horizonDays * DAY_MS;
}

function entriesIn(occurrences: readonly Occurrence[], from: number, to: number): Map<string, SnapshotEntry> {
  const entries = new Map<string, SnapshotEntry>();
  for (const occurrence of occurrences) {
    const start = occurrence.start.getTime();
    if (start >= from && start < to) entries.set(occurrenceKey(occurrence), entryOf(occurrence));
  }
  return entries;
}

const same = (a: SnapshotEntry, b: SnapshotEntry) => a.s === b.s && a.e === b.e && a.th === b.th && a.d === b.d && a.u === b.u;

function sameRecord<T>(a: Record<string, T>, b: Record<string, T>, equal: (x: T, y: T) => boolean): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && equal(a[key] as T, b[key] as T));
}

/**
 * The snapshot to keep, or undefined when `previous` still holds: the horizon's end moves on when
 * the entries changed or an hour has passed, so an unchanged feed is written at most hourly.
 */
function settle(previous: Snapshot | undefined, state: Omit<Snapshot, "version" | "horizonEnd">, horizonEnd: number): Snapshot | undefined {
  const changed =
    !previous ||
    previous.textHash !== state.textHash ||
    previous.eventCount !== state.eventCount ||
    previous.suspect?.hash !== state.suspect?.hash ||
    previous.suspect?.reads !== state.suspect?.reads ||
    !sameRecord(previous.entries, state.entries, same) ||
    !sameRecord(previous.pending, state.pending, (x, y) => x === y);
  if (!changed && horizonEnd - previous.horizonEnd < ROLL_MS) return undefined;
  const snapshot: Snapshot = { ...state, version: 1, horizonEnd };
  if (!snapshot.suspect) delete snapshot.suspect;
  return snapshot;
}

function baseline(reading: Reading, options: PlanOptions): NoticePlan {
  const end = horizonOf(options.now, options.policy);
  const entries = Object.fromEntries(entriesIn(reading.occurrences, options.now.getTime(), end));
  const snapshot = settle(undefined, { eventCount: reading.eventCount, textHash: reading.textHash, entries, pending: {} }, end);
  return { notices: [], suspect: undefined, next: () => snapshot };
}

const valueOf = (entry: SnapshotEntry | undefined) => (entry ? `${entry.s}-${entry.e}-${entry.th}` : "none");

/**
 * Compares a feed's reading with the snapshot its last good read left, and says which changes to
 * announce now. Pure: the time comes in as `options.now`.
 *
 * - The first read (no snapshot) sets the baseline silently.
 * - A reading cut short, or with under half the events of the last one, is not compared: no
 *   occurrence is taken as cancelled because a download lost it. The old snapshot stays.
 * - An occurrence that starts at or after the last horizon's end entered it by time passing: not
 *   `added`. One whose start has passed is dropped, not `cancelled`.
 * - A change is announced once it has held for `quietMinutes`, as the net change from what the
 *   channel knew: moved and moved back within that time announces nothing.
 * - Kinds the policy turns off, and changes to occurrences the feed's patterns leave out, are taken
 *   in silently.
 */
export function planNotices(previous: Snapshot | undefined, reading: Reading, options: PlanOptions): NoticePlan {
  if (reading.cutShort) {
    return {
      notices: [],
      suspect: "change notices skipped: the feed's text ends before END:VCALENDAR (cut short?); its last good read is kept",
      next: () => undefined,
    };
  }
  if (!previous) return baseline(reading, options);
  if (previous.eventCount >= DROP_FLOOR && reading.eventCount * 2 < previous.eventCount) return bigDrop(previous, reading, options);
  return compare(previous, reading, options);
}

/**
 * A reading with under half the events of the last: taken as cut short, and not compared, until
 * the same text has been read `DROP_READS` times in a row; then it is the new baseline.
 */
function bigDrop(previous: Snapshot, reading: Reading, options: PlanOptions): NoticePlan {
  const reads = previous.suspect && previous.suspect.hash === reading.textHash ? previous.suspect.reads + 1 : 1;
  if (reads >= DROP_READS) return baseline(reading, options);
  const snapshot = settle(previous, { ...previous, suspect: { hash: reading.textHash ?? "", reads } }, previous.horizonEnd);
  return {
    notices: [],
    suspect:
      `change notices skipped: the feed has ${reading.eventCount} events where it had ${previous.eventCount}, ` +
      `none marked cancelled; taken as cut short, its last good read is kept (read ${reads} of ${DROP_READS} before it is believed)`,
    next: () => snapshot,
  };
}

/** A comparison under way: what it compares with, and what it has found so far. */
interface Comparison {
  previous: Snapshot;
  options: PlanOptions;
  now: number;
  /** The horizon's end: `now + horizonDays`. */
  end: number;
  quietMs: number;
  /** Entries the next snapshot keeps whatever is delivered, and the pending changes it carries. */
  entries: Record<string, SnapshotEntry>;
  pending: Record<string, number>;
  notices: Notice[];
}

/** Compares the reading with the snapshot, occurrence by occurrence: the notices, and the snapshot they leave. */
function compare(previous: Snapshot, reading: Reading, options: PlanOptions): NoticePlan {
  const comparison: Comparison = {
    previous,
    options,
    now: options.now.getTime(),
    end: horizonOf(options.now, options.policy),
    quietMs: options.policy.quietMinutes * MINUTE_MS,
    entries: {},
    pending: {},
    notices: [],
  };
  const current = entriesIn(reading.occurrences, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  // An event that could not be read is neither cancelled nor changed: what the channel knew stands.
  const unread = new Set(reading.skipped.map(uidHash));
  const isUnread = (entry: SnapshotEntry) => entry.u !== undefined && unread.has(entry.u);
  const gone: Keyed[] = [];
  /** Gone occurrences whose start has passed: nothing to announce, but they line up a moved series. */
  const gonePast: Keyed[] = [];
  /** Events with an occurrence still under its key: no series of them moved as a whole. */
  const stayed = new Set<string>();
  for (const [key, before] of Object.entries(previous.entries)) {
    const after = current.get(key);
    if (before.s < comparison.now) {
      if (after) {
        if (before.u !== undefined) stayed.add(before.u);
        const kinds = changesBetween(before, after);
        // Its old start has passed (it waited out quietMinutes, say), its new one has not: a move
        // still worth telling. Otherwise it is taken in, so it never comes back as "added".
        if (kinds.length > 0 && after.s >= comparison.now && !isUnread(before)) consider(comparison, key, kinds, before, after);
        else keep(comparison, key, after);
      } else if (!isUnread(before)) gonePast.push({ key, entry: before });
      continue;
    }
    if (isUnread(before)) {
      keep(comparison, key, before);
      continue;
    }
    if (!after) {
      gone.push({ key, entry: before });
      continue;
    }
    if (before.u !== undefined) stayed.add(before.u);
    const kinds = changesBetween(before, after);
    if (kinds.length === 0) keep(comparison, key, after);
    else consider(comparison, key, kinds, before, after);
  }
  const arrived: Keyed[] = [];
  for (const [key, after] of current) {
    if (Object.hasOwn(previous.entries, key) || !inHorizon(comparison, after)) continue;
    if (isUnread(after)) keep(comparison, key, after);
    else arrived.push({ key, entry: after });
  }
  // The passed ones count too: a run between an instance's old and new time pairs that instance
  // with its new time, not each instance with the next one's.
  const past = new Set(gonePast);
  const candidates = [...gonePast, ...gone];
  const { pairs, shifts } = seriesMoves(candidates, arrived, stayed);
  for (const [before, after] of pairs) {
    consider(comparison, before.key, changesBetween(before.entry, after.entry), before.entry, after.entry, after.key);
  }
  for (const item of candidates) {
    if (past.has(item)) continue;
    // An instance of a moved series whose new time has passed, or lies past the horizon (where it
    // enters later, silently, as time passes): nothing to tell, and nothing cancelled.
    const shift = item.entry.u === undefined ? undefined : shifts.get(item.entry.u);
    if (shift !== undefined && (item.entry.s + shift < comparison.now || item.entry.s + shift >= comparison.end)) continue;
    consider(comparison, item.key, ["cancelled"], item.entry, undefined);
  }
  for (const { key, entry } of arrived) {
    if (entry.s >= previous.horizonEnd) keep(comparison, key, entry);
    else consider(comparison, key, ["added"], undefined, entry);
  }
  const read = { eventCount: reading.eventCount, textHash: reading.textHash };
  return {
    notices: comparison.notices,
    suspect: undefined,
    next: (delivered) => settle(previous, { ...read, ...afterDelivery(comparison, delivered) }, comparison.end),
  };
}

/** An entry with its key. */
interface Keyed {
  key: string;
  entry: SnapshotEntry;
}

/** How far from the series' shift an instance may land and still be its instance moved: a DST change between. */
const SHIFT_SLACK_MS = 60 * MINUTE_MS;

/**
 * Pairs occurrences gone from an event with those new to it, for the events none of whose
 * occurrences stayed under their key (`stayed`): when a series moves as a whole (a new DTSTART or
 * rule), every instance gets a new RECURRENCE-ID, so it leaves under one key and comes back under
 * another; one instance moved on its own keeps its RECURRENCE-ID. The series' shift is the one most
 * gone and new occurrences are apart (the smallest, of equals), and each gone occurrence is paired
 * with the new one nearest that shift from it (within an hour: a DST change between). Each pair is
 * one instance moved. Takes the paired ones out of `gone` and `arrived`, and returns each event's
 * shift, so what is left can be told apart: cancelled and added, or moved where nothing is to tell.
 */
function seriesMoves(
  gone: Keyed[],
  arrived: Keyed[],
  stayed: ReadonlySet<string>,
): { pairs: Array<[Keyed, Keyed]>; shifts: Map<string, number> } {
  const byUid = (list: Keyed[]) => {
    const groups = new Map<string, Keyed[]>();
    for (const item of list) {
      if (item.entry.u === undefined) continue;
      const group = groups.get(item.entry.u) ?? [];
      group.push(item);
      groups.set(item.entry.u, group);
    }
    return groups;
  };
  const arrivals = byUid(arrived);
  const pairs: Array<[Keyed, Keyed]> = [];
  const shifts = new Map<string, number>();
  for (const [uid, left] of byUid(gone)) {
    const came = arrivals.get(uid);
    if (!came || stayed.has(uid)) continue;
    const shift = commonShift(left, came);
    shifts.set(uid, shift);
    const open = new Set(came);
    for (const item of left.sort((a, b) => a.entry.s - b.entry.s)) {
      let best: Keyed | undefined;
      for (const candidate of open) {
        const off = Math.abs(candidate.entry.s - item.entry.s - shift);
        if (off <= SHIFT_SLACK_MS && (!best || off < Math.abs(best.entry.s - item.entry.s - shift))) best = candidate;
      }
      if (best) {
        open.delete(best);
        pairs.push([item, best]);
      }
    }
  }
  const paired = new Set(pairs.flat());
  const unpaired = (list: Keyed[]) => list.filter((item) => !paired.has(item));
  gone.splice(0, gone.length, ...unpaired(gone));
  arrived.splice(0, arrived.length, ...unpaired(arrived));
  return { pairs, shifts };
}

/**
 * The distance gone and new occurrences of an event are apart (to the minute) that pairs nearly as
 * many of them as the most common one — the horizon's two ends may each cut one pair — and is the
 * smallest: a standup moved from 10:00 to 11:00 is moved by an hour, not by 23 hours to the day before.
 */
function commonShift(gone: readonly Keyed[], arrived: readonly Keyed[]): number {
  const counts = new Map<number, number>();
  for (const g of gone) {
    for (const a of arrived) {
      const shift = Math.round((a.entry.s - g.entry.s) / MINUTE_MS) * MINUTE_MS;
      counts.set(shift, (counts.get(shift) ?? 0) + 1);
    }
  }
  const most = Math.max(0, ...counts.values());
  let best: number | undefined;
  for (const [shift, count] of counts) {
    if (count >= Math.max(1, most - 2) && (best === undefined || Math.abs(shift) < Math.abs(best))) best = shift;
  }
  return best ?? 0;
}

function changesBetween(before: SnapshotEntry, after: SnapshotEntry): ChangeKind[] {
  const kinds: ChangeKind[] = [];
  if (after.s !== before.s || after.e !== before.e || after.d !== before.d) kinds.push("moved");
  if (after.th !== before.th) kinds.push("retitled");
  return kinds;
}

function inHorizon({ now, end }: Comparison, entry: SnapshotEntry | undefined): entry is SnapshotEntry {
  return entry !== undefined && entry.s >= now && entry.s < end;
}

/** Takes an occurrence in silently: the next snapshot holds it, if it is in the horizon. */
function keep(comparison: Comparison, key: string, entry: SnapshotEntry | undefined): void {
  if (inHorizon(comparison, entry)) comparison.entries[key] = entry;
}

/**
 * Announces a change once it has held for `quietMinutes`, and holds it back until then (the
 * snapshot keeps what the channel knew). Kinds the policy turns off, occurrences the feed's
 * patterns leave out, and moves into the past are taken in silently.
 */
function consider(
  comparison: Comparison,
  key: string,
  kinds: ChangeKind[],
  before: SnapshotEntry | undefined,
  after: SnapshotEntry | undefined,
  afterKey = key,
): void {
  const { options, now } = comparison;
  const announced = kinds.filter((kind) => options.policy[kind]);
  const wanted = (before && options.wanted(before.t)) || (after && options.wanted(after.t));
  // Moved into the past: nothing left to tell.
  const relevant = after ? after.s >= now : true;
  if (announced.length === 0 || !wanted || !relevant) {
    keep(comparison, afterKey, after);
    return;
  }
  const since = comparison.previous.pending[key] ?? now;
  if (now - since < comparison.quietMs) {
    comparison.pending[key] = since;
    // What the channel knew stays in the snapshot while the change waits, its start passed or not.
    if (before) comparison.entries[key] = before;
    return;
  }
  comparison.notices.push({
    id: `notice#${options.feedId}#${key}#${announced.join("+")}#${valueOf(before)}#${valueOf(after)}`,
    feedId: options.feedId,
    key,
    afterKey,
    kinds: announced,
    before,
    after,
  });
}

/** The entries and pending changes of the next snapshot, once the notices in `delivered` are out. */
function afterDelivery(comparison: Comparison, delivered: ReadonlySet<string>): Pick<Snapshot, "entries" | "pending"> {
  const entries = { ...comparison.entries };
  const pending = { ...comparison.pending };
  for (const notice of comparison.notices) {
    if (delivered.has(notice.id)) {
      if (inHorizon(comparison, notice.after)) entries[notice.afterKey] = notice.after;
    } else {
      // Not out yet: the channel still knows the old state, and the next run tries again.
      if (notice.before) entries[notice.key] = notice.before;
      pending[notice.key] = comparison.previous.pending[notice.key] ?? comparison.now;
    }
  }
  return { entries, pending };
}

/**
 * For a feed whose text has not changed since its snapshot (304, or the same text) and that holds
 * no pending change: no comparison, only the slice of occurrences that entered the horizon as time
 * passed (`slice`, expanded over `[previous.horizonEnd, now + horizonDays)`) is taken in.
 */
export function rollForward(previous: Snapshot, slice: readonly Occurrence[], options: PlanOptions): NoticePlan {
  const now = options.now.getTime();
  const end = horizonOf(options.now, options.policy);
  const entries: Record<string, SnapshotEntry> = {};
  for (const [key, entry] of Object.entries(previous.entries)) if (entry.s >= now) entries[key] = entry;
  for (const [key, entry] of entriesIn(slice, Math.max(now, previous.horizonEnd), end)) entries[key] ??= entry;
  const snapshot = settle(previous, { ...previous, entries, suspect: undefined }, end);
  return { notices: [], suspect: undefined, next: () => snapshot };
}

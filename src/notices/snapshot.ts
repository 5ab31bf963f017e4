import { createHash } from "node:crypto";
import type { Occurrence } from "../calendar/occurrence.ts";
import type { FeedInput } from "../calendar/octets.ts";
import { cutText } from "../cut.ts";

/**
 * What a feed's snapshot remembers of one occurrence: the few fields a notice shows, and a hash of
 * the title so a change past the shown length still counts. Short names keep a snapshot of
 * thousands of occurrences in one or two DynamoDB items.
 */
export interface SnapshotEntry {
  /** Start, in milliseconds since the epoch. */
  s: number;
  /** End (exclusive). */
  e: number;
  /** First day (`YYYY-MM-DD`) of an all-day occurrence; absent for a timed one. */
  d?: string;
  /** The title as a notice shows it, cut to `MAX_TITLE` characters. */
  t: string;
  /** Hash of the whole title. */
  th: string;
  /**
   * Hash of the UID: which occurrences are instances of one event, so a series moved to another
   * time is announced as moved, not as cancelled and added. Absent in snapshots written before it.
   */
  u?: string;
}

/**
 * What the channel was last told about a feed's next `horizonDays`: occurrences by key (a hash of
 * UID and RECURRENCE-ID), and the changes seen but not announced yet.
 */
export interface Snapshot {
  version: 1;
  /**
   * Occurrences were taken up to this instant (exclusive). One found later, starting at or after
   * it, entered the horizon as time passed: it is taken in silently, not announced as added.
   */
  horizonEnd: number;
  /** VEVENTs the feed had: a big drop is more likely a cut-short download than a clean-up. */
  eventCount: number;
  /** Hash of the feed's text, so an identical download costs no diff. */
  textHash: string | undefined;
  entries: Record<string, SnapshotEntry>;
  /** Changes held back for the quiet period: key → when first seen (ms). */
  pending: Record<string, number>;
  /** A download taken as suspect (a big drop): its text hash and how many reads in a row. */
  suspect?: { hash: string; reads: number } | undefined;
}

/** Titles are cut here in a snapshot; a notice shows no more than this. */
export const MAX_TITLE = 160;

/** A short, stable hash (base64url of SHA-256, of text as UTF-8); long enough that a feed's keys never collide. */
export function shortHash(text: FeedInput, length = 16): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, length);
}

/**
 * The identity of an occurrence across edits: its UID and, for an instance of a series, its
 * RECURRENCE-ID (the original start, which an override that moves it keeps). Hashed, so the
 * snapshot holds no UIDs (some calendars put e-mail addresses in them).
 */
export function occurrenceKey(occurrence: Pick<Occurrence, "uid" | "recurrenceId">): string {
  return shortHash(`${occurrence.uid}\n${occurrence.recurrenceId ?? ""}`);
}

/** The snapshot entry of an occurrence. */
export function entryOf(occurrence: Occurrence): SnapshotEntry {
  const title = occurrence.summary.replace(/\s+/g, " ").trim();
  return {
    s: occurrence.start.getTime(),
    e: occurrence.end.getTime(),
    ...(occurrence.allDay && occurrence.day ? { d: occurrence.day } : {}),
    t: cutText(title, MAX_TITLE, true),
    th: shortHash(title, 8),
    u: uidHash(occurrence.uid),
  };
}

/** The hash of a UID an entry holds (`SnapshotEntry.u`). */
export function uidHash(uid: string): string {
  return shortHash(uid, 8);
}

/** Whether a calendar (text or UTF-8 bytes) ends as a whole one does: a download cut short loses END:VCALENDAR. */
export function endsWhole(feed: FeedInput): boolean {
  const tail =
    typeof feed === "string"
      ? feed.slice(-TAIL)
      : Buffer.from(feed.buffer, feed.byteOffset, feed.byteLength).subarray(-TAIL).toString("latin1");
  return /END:VCALENDAR\s*$/i.test(tail);
}

/** How much of a feed's end `endsWhole` looks at: END:VCALENDAR and any blank space after it. */
const TAIL = 4096;

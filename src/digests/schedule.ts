import { Temporal } from "temporal-polyfill";
import { wallClockToInstant } from "../calendar/wall-clock.ts";
import { DAY_MS } from "../reminders/durations.ts";
import { inWindow, type TimeWindow } from "../reminders/window.ts";
import { type Digest, WEEKDAYS } from "./digest.ts";

/** One post of a digest: the digest, the local day it is for, when it is due, what it covers. */
export interface DueDigest {
  digest: Digest;
  /** The local day it is posted on, `YYYY-MM-DD` in the digest's zone. */
  day: string;
  /** Its local time on that day, as an instant. */
  dueAt: Date;
  /**
   * The events it lists are those overlapping this span: the whole local day (daily), or seven
   * local days from the digest's time (weekly).
   */
  span: TimeWindow;
  /** The local days it groups events by, `YYYY-MM-DD`, in order. */
  days: string[];
  /** Ledger identity: digest, webhook and local day. */
  id: string;
}

function localDay(instant: Date, timezone: string): Temporal.PlainDate {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timezone).toPlainDate();
}

function at(day: Temporal.PlainDate, hour: number, minute: number, timezone: string): Date {
  return wallClockToInstant({ year: day.year, month: day.month, day: day.day, hour, minute }, timezone);
}

/**
 * The posts of `digests` due in `window`: a digest is due at its local time on each of its days,
 * read on the clocks of its zone, so 08:30 stays 08:30 across a DST change and a time the change
 * skips is posted just after the gap (RFC 5545 §3.3.5, as event times are). A local day has one
 * such instant, so windows that tile time — as the runs' windows do — see each post exactly once.
 * Sorted by due time.
 */
export function dueDigests(digests: readonly Digest[], window: TimeWindow): DueDigest[] {
  const due: DueDigest[] = [];
  for (const digest of digests) {
    const zone = digest.timezone;
    // Any local day whose time can fall in the window: a day's clock is within ±26 hours of UTC.
    const last = localDay(new Date(window.to.getTime() + DAY_MS), zone);
    for (
      let day = localDay(new Date(window.from.getTime() - DAY_MS), zone);
      Temporal.PlainDate.compare(day, last) <= 0;
      day = day.add({ days: 1 })
    ) {
      if (!digest.days.has(WEEKDAYS[day.dayOfWeek - 1] as (typeof WEEKDAYS)[number])) continue;
      const dueAt = at(day, digest.hour, digest.minute, zone);
      if (!inWindow(dueAt, window)) continue;
      const length = digest.kind === "daily" ? 1 : 7;
      const span =
        digest.kind === "daily"
          ? { from: at(day, 0, 0, zone), to: at(day.add({ days: 1 }), 0, 0, zone) }
          : { from: dueAt, to: at(day.add({ days: 7 }), digest.hour, digest.minute, zone) };
      due.push({
        digest,
        day: day.toString(),
        dueAt,
        span,
        days: Array.from({ length }, (_, i) => day.add({ days: i }).toString()),
        id: `digest#${digest.webhook}#${digest.id}#${day.toString()}`,
      });
    }
  }
  return due.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

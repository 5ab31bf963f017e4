import { describeError, LedgerError } from "../errors.ts";
import type { Strategy } from "../reminders/feed.ts";
import type { Outcome } from "../slack/delivery.ts";

/** One problem of a run, named by the feed or webhook it concerns. */
export type RunError = { feed: string; message: string } | { webhook: string; message: string };

/** The handler's return value, as docs/events.md shows it. */
export interface RunResult {
  strategy: Strategy;
  reference: string;
  dryRun?: boolean;
  /** `unchanged`: feeds (counted in `ok`) that answered 304 Not Modified and were not downloaded again. */
  /** `skipped`: not attempted because the function's time was running out. */
  feeds: { total: number; ok: number; failed: number; unchanged: number; skipped: number };
  /** `unknown`: posts whose answer never came (or a stopped run's): maybe posted, not sent again. */
  reminders: { due: number; sent: number; duplicate: number; failed: number; unknown: number };
  /** Change notices; present when a feed has them configured. */
  notices?: { sent: number; failed: number };
  /** Present when digests are configured; `duplicate`: due in this run's window, posted by another run. */
  digests?: { due: number; sent: number; failed: number; duplicate: number };
  durationMs: number;
  errors: RunError[];
}

/** What `RunTally.deliveryOutcomes` counted for one webhook, for its span and the log. */
export interface DeliveryReport {
  sent: number;
  unknown: number;
  /** Errors of posts whose answer never came, named in the result for the first time here. */
  newlyUnknown: [error: Error, reminders: number][];
  /** Caught-up reminders another run holds without having posted them, and when its claim lapses. */
  held: { reminders: number; until: number | undefined } | undefined;
  /** Failures, each with its reminders; `first` when the result names it for the first time here. */
  failures: { error: Error; reminders: number; first: boolean }[];
}

const plural = (count: number, one: string, many: string) => (count === 1 ? one : many);

/** Counts what a run did, as it happens; strategies report into it from concurrent work. */
export class RunTally {
  readonly feeds = { total: 0, ok: 0, failed: 0, unchanged: 0, skipped: 0 };
  readonly reminders = { due: 0, sent: 0, duplicate: 0, failed: 0, unknown: 0 };
  readonly notices = { sent: 0, failed: 0 };
  readonly digests = { due: 0, sent: 0, failed: 0, duplicate: 0 };
  readonly errors: RunError[] = [];
  /** Errors already named in `errors`: one failure (a revoked webhook) can settle many batches. */
  readonly #reported = new WeakSet<Error>();

  constructor(totalFeeds: number) {
    this.feeds.total = totalFeeds;
  }

  feedSucceeded(unchanged = false): void {
    this.feeds.ok += 1;
    if (unchanged) this.feeds.unchanged += 1;
  }

  feedFailed(feed: string, error: unknown): void {
    this.feeds.failed += 1;
    this.errors.push({ feed, message: describeError(error) });
  }

  feedSkipped(feed: string, message: string): void {
    this.feeds.skipped += 1;
    this.errors.push({ feed, message });
  }

  remindersDue(count: number): void {
    this.reminders.due += count;
  }

  /** Reminders over a limit: due, and failed without a post, named once for their feed. */
  remindersDropped(feed: string, count: number, message: string): void {
    this.reminders.due += count;
    this.reminders.failed += count;
    this.errors.push({ feed, message });
  }

  delivered(sent: number, duplicate = 0): void {
    this.reminders.sent += sent;
    this.reminders.duplicate += duplicate;
  }

  digestFailed(webhook: string, message: string): void {
    this.digests.failed += 1;
    this.errors.push({ webhook, message });
  }

  deliveryFailed(webhook: string, count: number, error: unknown): void {
    this.reminders.failed += count;
    this.errors.push({ webhook, message: describeError(error) });
  }

  /** Names `error` in the result unless it is there already; true when it was added now. */
  reportOnce(error: Error, entry: RunError): boolean {
    if (this.#reported.has(error)) return false;
    this.#reported.add(error);
    this.errors.push(entry);
    return true;
  }

  /**
   * Counts what became of one webhook's reminders, in the order `deliver` answered for them, and
   * names each problem in the result once. `catchingUp(i)`: the i-th reminder is one of the
   * catch-up span, due only if no other run delivered it.
   */
  deliveryOutcomes(webhook: string, outcomes: readonly Outcome[], catchingUp: (index: number) => boolean): DeliveryReport {
    let sent = 0;
    let duplicate = 0;
    let unknown = 0;
    const failures = new Map<Error, number>();
    const unknowns = new Map<Error, number>();
    const unrecorded = new Map<Error, number>();
    const held: (number | undefined)[] = [];
    let beingSent = 0;
    const add = (counts: Map<Error, number>, error: Error) => counts.set(error, (counts.get(error) ?? 0) + 1);
    outcomes.forEach((outcome, index) => {
      const caughtUp = catchingUp(index);
      // A caught-up reminder the ledger could not be asked about was likely delivered already.
      if (caughtUp && outcome.kind === "failed" && outcome.error instanceof LedgerError) {
        this.reportOnce(outcome.error, { webhook, message: outcome.error.message });
        return;
      }
      if (outcome.kind === "held") {
        // Another run holds it without having posted it. In this window that is a retry of
        // this very run, running alongside; in the catch-up span it is a run that may have
        // stopped: its claim lapses and a later run sends the reminder then.
        if (!caughtUp) duplicate += 1;
        else if (outcome.sending) beingSent += 1;
        else held.push(outcome.until);
        return;
      }
      // A caught-up reminder another run delivered was never this run's to send.
      if (caughtUp && outcome.kind !== "duplicate" && outcome.kind !== "unknown") this.remindersDue(1);
      if (outcome.kind === "sent") {
        sent += 1;
        if (outcome.unrecorded) add(unrecorded, outcome.unrecorded);
      } else if (outcome.kind === "duplicate") duplicate += caughtUp ? 0 : 1;
      else if (outcome.kind === "unknown") {
        unknown += 1;
        add(unknowns, outcome.error);
      } else add(failures, outcome.error);
    });
    this.delivered(sent, duplicate);
    this.reminders.unknown += unknown;
    const newlyUnknown = [...unknowns].filter(([error, count]) =>
      this.reportOnce(error, { webhook, message: `${count} ${plural(count, "reminder", "reminders")}: ${error.message}` }),
    );
    for (const [error, count] of unrecorded) {
      const them = plural(count, "it", "them");
      this.reportOnce(error, {
        webhook,
        message: `${count} ${plural(count, "reminder was", "reminders were")} posted, but ${error.message}; no run sends ${them} again`,
      });
    }
    const until = held.reduce<number | undefined>((latest, at) => (at === undefined ? latest : Math.max(latest ?? 0, at)), undefined);
    if (held.length > 0) {
      const lapse = until === undefined ? "its claim was given up" : `its claim lapses at ${new Date(until).toISOString()}`;
      const them = plural(held.length, "it", "them");
      this.errors.push({
        webhook,
        message: `${held.length} ${plural(held.length, "reminder is", "reminders are")} claimed by another run that has not posted ${them} (${lapse}); if that run stopped, a later run sends ${them} then`,
      });
    }
    if (beingSent > 0) {
      const them = plural(beingSent, "it", "them");
      this.errors.push({
        webhook,
        message: `${beingSent} ${plural(beingSent, "reminder is", "reminders are")} being posted by another run, whose time has not ended: it reports what became of ${them}; if it stopped, a later run reports ${them} as maybe posted, and none sends ${them} again`,
      });
    }
    const failed = [...failures].map(([error, reminders]) => {
      const first = !this.#reported.has(error);
      if (first) {
        this.#reported.add(error);
        this.deliveryFailed(webhook, reminders, error);
      } else this.reminders.failed += reminders;
      return { error, reminders, first };
    });
    return { sent, unknown, newlyUnknown, held: held.length > 0 ? { reminders: held.length, until } : undefined, failures: failed };
  }

  noticesFailed(webhook: string, count: number, error: unknown): void {
    this.notices.failed += count;
    this.errors.push({ webhook, message: `change notices: ${describeError(error)}` });
  }
}

import type { Strategy } from "../reminders/feed.ts";
import { describeError } from "../errors.ts";

/** One problem of a run, named by the feed or webhook it concerns. */
export type RunError = { feed: string; message: string } | { webhook: string; message: string };

/** The handler's return value, as the README's Events section shows it. */
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

/** Counts what a run did, as it happens; strategies report into it from concurrent work. */
export class RunTally {
  readonly feeds = { total: 0, ok: 0, failed: 0, unchanged: 0, skipped: 0 };
  readonly reminders = { due: 0, sent: 0, duplicate: 0, failed: 0, unknown: 0 };
  readonly notices = { sent: 0, failed: 0 };
  readonly digests = { due: 0, sent: 0, failed: 0, duplicate: 0 };
  readonly errors: RunError[] = [];

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

  noticesFailed(webhook: string, count: number, error: unknown): void {
    this.notices.failed += count;
    this.errors.push({ webhook, message: `change notices: ${describeError(error)}` });
  }
}

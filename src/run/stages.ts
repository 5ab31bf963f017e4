import type { ParsedCalendar } from "../calendar/expand.ts";
import type { Feed } from "../reminders/feed.ts";
import { CalendarError, FeedParseError } from "../errors.ts";
import { type FeedBody, type FeedFetcher, hostOf } from "../feeds/fetch.ts";
import type { Logger } from "../log.ts";
import { dueReminders, occurrenceRange } from "../reminders/due.ts";
import type { Reminder } from "../reminders/reminder.ts";
import type { TimeWindow } from "../reminders/window.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { SnapshotStore } from "../ledger/snapshots.ts";
import type { Snapshot } from "../notices/snapshot.ts";
import { readingSpan } from "../notices/diff.ts";
import { createNoticeStage } from "./notices.ts";
import { createDelivery, type DeliveryTuning, POST_TIMEOUT_MS } from "../slack/delivery.ts";
import { packMessages } from "../slack/message.ts";
import type { SlackPoster } from "../slack/webhook.ts";
import type { Tracer } from "../tracing/tracer.ts";
import type { DigestStage } from "./digests.ts";
import { DEFAULT_REMINDER_LIMITS, describeExcess, type ReminderLimits, ReminderCaps } from "./caps.ts";
import { DEFAULT_CALENDAR_LIMITS, RunCalendars } from "./calendars.ts";
import type { RunTally } from "./result.ts";
import { MINUTE_MS, DAY_MS } from "../reminders/durations.ts";

/** The edges and facts a run's stages work with. */
export interface StageContext {
  fetcher: FeedFetcher;
  poster: SlackPoster;
  tracer: Tracer;
  log: Logger;
  /** Wall clock, for the countdown in messages. */
  clock: () => Date;
  /** Reminders due in this window are sent. */
  window: TimeWindow;
  /** Render but do not post. */
  dryRun: boolean;
  tally: RunTally;
  /**
   * Exactly-once delivery: reminders are claimed before posting, and reminders due in the last
   * `catchUpMinutes` before `window` that no run delivered are sent while their event is ahead.
   */
  ledger?: { store: Ledger; catchUpMinutes: number } | undefined;
  /** Pace, retries and deadline of posting to Slack. */
  delivery?: DeliveryTuning | undefined;
  /** Where change notices keep each feed's snapshot; notices need the ledger too. */
  snapshots?: SnapshotStore<Snapshot> | undefined;
  /** Aborts downloads in flight when the function's time is nearly up. */
  signal?: AbortSignal;
  /** Due digests, handed each calendar the run reads. */
  digests?: DigestStage | undefined;
  /** Most reminders per feed and per run. Default 50 and 2,000. */
  limits?: ReminderLimits | undefined;
  /** Reads and expands calendars within each feed's budget; the default limits without it. */
  calendars?: RunCalendars | undefined;
}

/**
 * The three units of work both strategies schedule. Each reports its own outcome to the tally and
 * never throws, so one bad feed or webhook never stops the others.
 */
export interface Stages {
  /** Fetches and parses one feed into its due reminders; `[]` when the feed failed. */
  collect(feed: Feed): Promise<Reminder[]>;
  /** Posts reminders to one webhook, in as few messages as Slack's limits allow. */
  notify(webhook: string, reminders: readonly Reminder[]): Promise<void>;
  /** Posts the change notices the feeds' reads found, one message per webhook; after every feed. */
  announce(): Promise<void>;
}

/**
 * A feed is read for the occurrences its reminders need and this much more: a warm container
 * serves a week of later runs of an unchanged (304) feed without reading it again, and agendas
 * and change notices, which look a week ahead, find it read.
 */
const READ_AHEAD_MS = 8 * DAY_MS;
const READ_BEHIND_MS = DAY_MS;

export function createStages(context: StageContext): Stages {
  const { tracer, tally, log } = context;
  const ledger = context.dryRun ? undefined : context.ledger;
  const catchUp: TimeWindow | undefined =
    ledger && ledger.catchUpMinutes > 0
      ? {
          from: new Date(context.window.from.getTime() - ledger.catchUpMinutes * MINUTE_MS),
          to: context.window.from,
        }
      : undefined;
  /** Catch-up reminders count as due only once the ledger shows no run delivered them. */
  const caughtUp = new WeakSet<Reminder>();
  const delivery = createDelivery({
    ...context.delivery,
    poster: context.poster,
    ledger: ledger?.store,
    clock: context.clock,
    log,
  });
  const calendars = context.calendars ?? new RunCalendars(DEFAULT_CALENDAR_LIMITS, context.signal);
  const notices =
    context.snapshots && context.ledger
      ? createNoticeStage({
          store: context.snapshots,
          ledger: ledger?.store,
          poster: context.poster,
          tracer,
          log,
          tally,
          reference: context.window.from,
          dryRun: context.dryRun,
          remainingMs: context.delivery?.remainingMs,
          postTimeoutMs: context.delivery?.attemptTimeoutMs ?? POST_TIMEOUT_MS,
          calendars,
        })
      : undefined;
  const caps = new ReminderCaps(context.limits ?? DEFAULT_REMINDER_LIMITS);

  async function fetch(feed: Feed): Promise<FeedBody> {
    return tracer.span(`fetch:${feed.id}`, async (span) => {
      const body = await context.fetcher.fetchFeed(feed, context.signal);
      span.metadata("bytes", body.bytes);
      span.metadata("status", body.status);
      return body;
    });
  }

  /**
   * Reads a downloaded calendar; on 304 Not Modified reuses the one read last time. Only the events
   * that can matter for `range` and the days after it are read (see READ_AHEAD_MS); a kept calendar
   * asked for later windows reads its text again when they leave that horizon.
   */
  async function read(feed: Feed, body: FeedBody, range: TimeWindow): Promise<ParsedCalendar> {
    if (body.unchanged) return body.calendar;
    let calendar: ParsedCalendar;
    try {
      // Change notices read further ahead: the horizon covers their span too, so it is read once.
      const noticesTo = feed.notices ? readingSpan(context.window.from, feed.notices).to.getTime() : 0;
      const horizon = {
        from: new Date(range.from.getTime() - READ_BEHIND_MS),
        to: new Date(Math.max(range.to.getTime() + READ_AHEAD_MS, noticesTo)),
      };
      calendar = await calendars.parse(feed.id, body.text, { horizon });
    } catch (error) {
      if (error instanceof CalendarError) {
        throw new FeedParseError(feed.id, `feed "${feed.id}" ${error.message}`, { cause: error });
      }
      throw error;
    }
    body.keep?.(calendar);
    return calendar;
  }

  async function parse(feed: Feed, body: FeedBody): Promise<{ reminders: Reminder[]; calendar: ParsedCalendar }> {
    return tracer.span(`parse:${feed.id}`, async (span) => {
      const range = occurrenceRange({ from: catchUp?.from ?? context.window.from, to: context.window.to }, feed);
      const calendar = await read(feed, body, range);
      await context.digests?.read(feed, calendar);
      const expansion = await calendars.occurrences(feed.id, calendar, { ...range, timezone: feed.timezone });
      const warnings = [...calendar.warnings, ...expansion.warnings];
      // One line per feed, however broken: the calendar keeps the first few warnings and a count.
      if (warnings.length > 0) log.warn({ feed: feed.id, warnings }, "calendar components skipped");
      const due = dueReminders(expansion.occurrences, feed, context.window);
      if (catchUp) {
        const missed = dueReminders(expansion.occurrences, feed, catchUp, { notStartedBy: context.clock() });
        for (const reminder of missed) caughtUp.add(reminder);
        due.unshift(...missed);
      }
      const { kept: reminders, excess } = caps.admit(due);
      if (excess) {
        // Counted as due and failed, named once by feed and event: never dropped silently.
        tally.remindersDropped(feed.id, excess.dropped, `feed "${feed.id}": ${describeExcess(excess, due.length)}`);
        log.warn({ feed: feed.id, due: due.length, dropped: excess.dropped, limit: excess.limit }, "reminders over the limit not sent");
        span.metadata("dropped", excess.dropped);
      }
      span.metadata("unchanged", body.unchanged === true);
      span.metadata("occurrences", expansion.occurrences.length);
      span.metadata("reminders", reminders.length);
      return { reminders, calendar };
    });
  }

  return {
    async announce() {
      await notices?.announce();
    },

    async collect(feed) {
      const started = performance.now();
      try {
        const body = await fetch(feed);
        const { reminders, calendar } = await parse(feed, body);
        if (notices && feed.notices) await notices.observe(feed, body, calendar);
        tally.feedSucceeded(body.unchanged === true);
        tally.remindersDue(reminders.filter((reminder) => !caughtUp.has(reminder)).length);
        log.info(
          { feed: feed.id, host: hostOf(feed.url), status: body.status, unchanged: body.unchanged === true, bytes: body.bytes, reminders: reminders.length, ms: Math.round(performance.now() - started) },
          "feed read",
        );
        return reminders;
      } catch (error) {
        // A feed that failed keeps its notice snapshot: nothing it lost is taken as cancelled.
        tally.feedFailed(feed.id, error);
        log.warn(
          { feed: feed.id, host: hostOf(feed.url), error: (error as Error).name, status: (error as { status?: number }).status, reason: (error as Error).message, ms: Math.round(performance.now() - started) },
          "feed failed",
        );
        return [];
      }
    },

    async notify(webhook, reminders) {
      if (reminders.length === 0) return;
      await tracer.span(`notify:${webhook}`, async (span) => {
        span.metadata("reminders", reminders.length);
        if (context.dryRun) {
          for (const { message, reminders: group } of packMessages(reminders, context.clock())) {
            log.info({ webhook, reminders: group.length, text: message.text }, "dry run: not posted");
          }
          return;
        }
        const outcomes = await delivery.deliver(webhook, reminders);
        const report = tally.deliveryOutcomes(webhook, outcomes, (index) => caughtUp.has(reminders[index] as Reminder));
        span.metadata("sent", report.sent);
        if (report.unknown > 0) span.metadata("unknown", report.unknown);
        for (const [error, count] of report.newlyUnknown) {
          log.error({ webhook, reminders: count, error: error.message }, "delivery outcome unknown; not sent again");
        }
        if (report.held) log.warn({ webhook, reminders: report.held.reminders, until: report.held.until }, "reminders held by another run's claim");
        for (const { error, reminders: count, first } of report.failures) {
          span.fail(error);
          if (first) log.error({ webhook, reminders: count, error: error.message }, "delivery failed");
        }
      });
    },
  };
}

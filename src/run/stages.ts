import type { ParsedCalendar } from "../calendar/expand.ts";
import type { Occurrence } from "../calendar/occurrence.ts";
import { type FeedBody, hostOf } from "../feeds/fetch.ts";
import { readingSpan } from "../notices/diff.ts";
import { dueReminders, occurrenceRange } from "../reminders/due.ts";
import { DAY_MS, MINUTE_MS } from "../reminders/durations.ts";
import type { Feed } from "../reminders/feed.ts";
import type { Reminder } from "../reminders/reminder.ts";
import type { TimeWindow } from "../reminders/window.ts";
import { createDelivery } from "../slack/delivery.ts";
import { packMessages } from "../slack/message.ts";
import type { RunCalendars } from "./calendars.ts";
import { describeExcess, ReminderCaps } from "./caps.ts";
import type { RunContext } from "./context.ts";
import type { DigestStage } from "./digests.ts";
import { createNoticeStage } from "./notices.ts";

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

/** One feed's calendar as the parse stage read it, and the reminders it has due in the run. */
interface ParsedFeed {
  reminders: Reminder[];
  calendar: ParsedCalendar;
}

/**
 * The reminders of the catch-up span: they count as due only once the ledger shows no run
 * delivered them. The parse stage marks them; the tally and the notify stage ask.
 */
type CaughtUp = WeakSet<Reminder>;

/** The run's stages over `context`; `digests`, when due, is handed each calendar the run reads. */
export function createStages(context: RunContext, digests: DigestStage | undefined): Stages {
  const caughtUp: CaughtUp = new WeakSet();
  const fetch = fetchStage(context);
  const parse = parseStage(context, caughtUp, digests);
  const notices = context.snapshots ? createNoticeStage(context.snapshots, context) : undefined;

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
        reportFeedRead(context, { feed, body, reminders, caughtUp, started });
        return reminders;
      } catch (error) {
        reportFeedFailure(context, feed, error, started);
        return [];
      }
    },

    notify: notifyStage(context, caughtUp),
  };
}

/** Downloads one feed, within the run's deadline. */
function fetchStage({ fetcher, tracer, deadline }: Pick<RunContext, "fetcher" | "tracer" | "deadline">) {
  return (feed: Feed): Promise<FeedBody> =>
    tracer.span(`fetch:${feed.id}`, async (span) => {
      const body = await fetcher.fetchFeed(feed, deadline.signal);
      span.metadata("bytes", body.bytes);
      span.metadata("status", body.status);
      return body;
    });
}

/**
 * Reads one downloaded feed into the reminders due in the run's window, and, with a ledger, those
 * of the catch-up span before it that no run delivered; within the run's reminder limits.
 */
function parseStage(
  context: Pick<RunContext, "config" | "tracer" | "log" | "tally" | "clock" | "window" | "ledger" | "calendars">,
  caughtUp: CaughtUp,
  digests: DigestStage | undefined,
) {
  const { tracer, log, window } = context;
  const catchUp = catchUpSpan(context);
  const limits = context.config.limits;
  const caps = new ReminderCaps({ perFeed: limits.remindersPerFeed, perRun: limits.remindersPerRun });

  return (feed: Feed, body: FeedBody): Promise<ParsedFeed> =>
    tracer.span(`parse:${feed.id}`, async (span) => {
      const range = occurrenceRange({ from: catchUp?.from ?? window.from, to: window.to }, feed);
      const calendar = await readCalendar(context.calendars, feed, body, range, window.from);
      const expansion = await context.calendars.occurrences(feed.id, calendar, { ...range, timezone: feed.timezone });
      // After the reminders' own expansion, which the feed's budget serves first: a digest's wider
      // span that costs too much fails that digest's reading of the feed, not the feed's reminders.
      await digests?.read(feed, calendar);
      const warnings = [...calendar.warnings, ...expansion.warnings];
      // One line per feed, however broken: the calendar keeps the first few warnings and a count.
      if (warnings.length > 0) log.warn({ feed: feed.id, warnings }, "calendar components skipped");
      const due = dueReminders(expansion.occurrences, feed, window);
      const { kept, excess } = caps.admit(due);
      if (excess) {
        // Counted as due and failed, named once by feed and event: never dropped silently.
        context.tally.remindersDropped(feed.id, excess.dropped, `feed "${feed.id}": ${describeExcess(excess, due.length)}`);
        log.warn({ feed: feed.id, due: due.length, dropped: excess.dropped, limit: excess.limit }, "reminders over the limit not sent");
        span.metadata("dropped", excess.dropped);
      }
      const reminders = catchUp ? [...catchUpCandidates(context, feed, expansion.occurrences, catchUp, caughtUp), ...kept] : kept;
      span.metadata("unchanged", body.unchanged === true);
      span.metadata("occurrences", expansion.occurrences.length);
      span.metadata("reminders", reminders.length);
      return { reminders, calendar };
    });
}

/**
 * The reminders of the catch-up span whose event has not started: candidates, most of them
 * delivered by the runs whose window they were in, which the ledger tells apart when they are
 * claimed. They are not counted against the run's limits, so a busy feed's own reminders are never
 * crowded out by what earlier runs sent; of a runaway feed's, at most `remindersPerFeed` (the
 * earliest due) are tried.
 */
function catchUpCandidates(
  context: Pick<RunContext, "config" | "log" | "clock">,
  feed: Feed,
  occurrences: Occurrence[],
  catchUp: TimeWindow,
  caughtUp: CaughtUp,
): Reminder[] {
  const missed = dueReminders(occurrences, feed, catchUp, { notStartedBy: context.clock() });
  const limit = context.config.limits.remindersPerFeed;
  if (missed.length > limit) {
    context.log.warn({ feed: feed.id, candidates: missed.length, tried: limit }, "catch-up candidates over remindersPerFeed not tried");
  }
  const tried = missed.slice(0, limit);
  for (const reminder of tried) caughtUp.add(reminder);
  return tried;
}

/** The span before the run's window whose reminders it catches up: only with a ledger, which knows what was sent. */
function catchUpSpan({ ledger, window }: Pick<RunContext, "ledger" | "window">): TimeWindow | undefined {
  return ledger && ledger.catchUpMinutes > 0
    ? { from: new Date(window.from.getTime() - ledger.catchUpMinutes * MINUTE_MS), to: window.from }
    : undefined;
}

/**
 * Reads a downloaded calendar; on 304 Not Modified reuses the one read last time. Only the events
 * that can matter for `range` and the days after it are read (see READ_AHEAD_MS); a kept calendar
 * asked for later windows reads its text again when they leave that horizon. `reference`: the
 * start of the run's window, where change notices' span starts.
 */
async function readCalendar(
  calendars: RunCalendars,
  feed: Feed,
  body: FeedBody,
  range: TimeWindow,
  reference: Date,
): Promise<ParsedCalendar> {
  if (body.unchanged) return body.calendar;
  // Change notices read further ahead: the horizon covers their span too, so it is read once.
  const noticesTo = feed.notices ? readingSpan(reference, feed.notices).to.getTime() : 0;
  const horizon = {
    from: new Date(range.from.getTime() - READ_BEHIND_MS),
    to: new Date(Math.max(range.to.getTime() + READ_AHEAD_MS, noticesTo)),
  };
  // A text that is no calendar, or over the feed's budget, fails as the feed's FeedParseError.
  const calendar = await calendars.parse(feed.id, body.text, { horizon });
  body.cacheForRevalidation?.(calendar);
  return calendar;
}

/** A feed read: counted, its due reminders too (caught-up ones once delivered), and one log line. */
function reportFeedRead(
  { tally, log }: Pick<RunContext, "tally" | "log">,
  read: { feed: Feed; body: FeedBody; reminders: Reminder[]; caughtUp: CaughtUp; started: number },
): void {
  const { feed, body, reminders, caughtUp, started } = read;
  tally.feedSucceeded(body.unchanged === true);
  tally.remindersDue(reminders.filter((reminder) => !caughtUp.has(reminder)).length);
  log.info(
    {
      feed: feed.id,
      host: hostOf(feed.url),
      status: body.status,
      unchanged: body.unchanged === true,
      bytes: body.bytes,
      reminders: reminders.length,
      ms: Math.round(performance.now() - started),
    },
    "feed read",
  );
}

/** A feed that could not be fetched or read: counted, named in the result, and logged by host, never by URL. */
function reportFeedFailure({ tally, log }: Pick<RunContext, "tally" | "log">, feed: Feed, error: unknown, started: number): void {
  // A feed that failed keeps its notice snapshot: nothing it lost is taken as cancelled.
  tally.feedFailed(feed.id, error);
  log.warn(
    {
      feed: feed.id,
      host: hostOf(feed.url),
      error: (error as Error).name,
      status: (error as { status?: number }).status,
      reason: (error as Error).message,
      ms: Math.round(performance.now() - started),
    },
    "feed failed",
  );
}

/** Posts one webhook's reminders through the run's delivery (or, in a dry run, logs them), and reports the outcomes. */
function notifyStage(
  context: Pick<RunContext, "poster" | "tracer" | "log" | "clock" | "tally" | "dryRun" | "ledger" | "delivery" | "pacers">,
  caughtUp: CaughtUp,
): Stages["notify"] {
  const { tracer, tally, log } = context;
  const delivery = createDelivery({
    ...context.delivery,
    poster: context.poster,
    ledger: context.ledger?.store,
    clock: context.clock,
    log,
    pacers: context.pacers,
  });

  return async (webhook, reminders) => {
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
      if (report.held)
        log.warn({ webhook, reminders: report.held.reminders, until: report.held.until }, "reminders held by another run's claim");
      for (const { error, reminders: count, first } of report.failures) {
        span.fail(error);
        if (first) log.error({ webhook, reminders: count, error: error.message }, "delivery failed");
      }
    });
  };
}

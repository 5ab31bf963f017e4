import { formatInstant } from "../calendar/zones.ts";
import type { Config } from "../config/schema.ts";
import type { Strategy } from "../reminders/feed.ts";
import type { FeedFetcher } from "../feeds/fetch.ts";
import type { Logger } from "../log.ts";
import { MINUTE_MS } from "../reminders/durations.ts";
import { dueWindow } from "../reminders/window.ts";
import { POST_TIMEOUT_MS } from "../slack/delivery.ts";
import type { SlackPoster } from "../slack/webhook.ts";
import type { Tracer } from "../tracing/tracer.ts";
import { Deadline, safetyMarginMs } from "./deadline.ts";
import { type RunResult, RunTally } from "./result.ts";
import { runPipelined } from "./pipelined.ts";
import { runSerial } from "./serial.ts";
import { createStages, type StageContext } from "./stages.ts";
import { digestsOf } from "../digests/digest.ts";
import { dueDigests } from "../digests/schedule.ts";
import { RunCalendars } from "./calendars.ts";
import { createDigestStage } from "./digests.ts";

/** The I/O a run goes through; the handler builds the real ones, tests hand in their own. */
export interface RunEdges {
  fetcher: FeedFetcher;
  poster: SlackPoster;
  tracer: Tracer;
  log: Logger;
  clock: () => Date;
  /** Exactly-once delivery and catch-up (see `StageContext.ledger`). */
  ledger?: StageContext["ledger"];
  /**
   * Pace, retries and deadline of posting to Slack. Its `attemptTimeoutMs` (default
   * `POST_TIMEOUT_MS`) is the one timeout of every post of the run: reminders, digests and notices,
   * and what the deadline keeps back for them.
   */
  delivery?: StageContext["delivery"];
  /** Change notices' snapshots (see `StageContext.snapshots`). */
  snapshots?: StageContext["snapshots"];
  /**
   * Milliseconds left before Lambda stops the function (`context.getRemainingTimeInMillis`).
   * Without it the run has no deadline.
   */
  remainingMs?: () => number;
}

/** What one run does. */
export interface RunPlan {
  config: Config;
  /** The run's reference time; reminders due in `[reference, reference + scheduleMinutes)` go out. */
  reference: Date;
  strategy: Strategy;
  dryRun: boolean;
}

/**
 * Runs one strategy over every feed of the configuration and reports what happened. Never throws
 * for a bad feed or webhook: those are counted and named in `errors`.
 */
export async function runReminders(plan: RunPlan, edges: RunEdges): Promise<RunResult> {
  const started = performance.now();
  const window = dueWindow(plan.reference, plan.config.scheduleMinutes);
  const feeds = plan.config.feeds;
  const tally = new RunTally(feeds.length);
  const postTimeoutMs = edges.delivery?.attemptTimeoutMs ?? POST_TIMEOUT_MS;
  const delivery = { ...edges.delivery, attemptTimeoutMs: postTimeoutMs };
  const deadline = edges.remainingMs
    ? new Deadline({
        remainingMs: edges.remainingMs,
        // A feed may take twice its timeout in all (the fetcher's per-feed deadline: retries, redirects).
        marginMs: safetyMarginMs(2 * plan.config.fetch.timeoutSeconds * 1000, postTimeoutMs),
        abortAtMs: postTimeoutMs + 1000,
        onSkip: (feed, message) => tally.feedSkipped(feed.id, message),
      })
    : Deadline.none();
  const { instancesPerFeed, calendarSecondsPerFeed } = plan.config.limits;
  const calendars = new RunCalendars({ instancesPerFeed, calendarSecondsPerFeed }, deadline.signal);
  const digests = digestsOf(plan.config, feeds);
  const ledger = plan.dryRun ? undefined : edges.ledger;
  // With a ledger, digests due in the catch-up span that no run posted are posted now.
  const digestWindow = ledger ? { from: new Date(window.from.getTime() - ledger.catchUpMinutes * MINUTE_MS), to: window.to } : window;
  const due = dueDigests(digests, digestWindow);
  const digestStage =
    due.length > 0
      ? createDigestStage(due, {
          ...edges,
          window,
          dryRun: plan.dryRun,
          tally,
          ledger: ledger?.store,
          delivery: { ...delivery, ...(edges.remainingMs ? { remainingMs: edges.remainingMs } : {}) },
          calendars,
        })
      : undefined;
  const stages = createStages({
    ...edges,
    delivery,
    window,
    dryRun: plan.dryRun,
    tally,
    signal: deadline.signal,
    digests: digestStage,
    limits: { perFeed: plan.config.limits.remindersPerFeed, perRun: plan.config.limits.remindersPerRun },
    calendars,
  });

  try {
    await edges.tracer.span(`strategy:${plan.strategy}`, async (span) => {
      span.annotate("strategy", plan.strategy);
      span.annotate("feeds", feeds.length);
      if (plan.strategy === "serial") await runSerial(feeds, stages, deadline);
      else await runPipelined(feeds, stages, { concurrency: plan.config.concurrency, deadline });
      // Every feed is read before the digests go out: a digest lists all of its feeds at once.
      await digestStage?.send();
      await stages.announce();
      span.annotate("reminders", tally.reminders.due);
      if (due.length > 0) span.metadata("digests", tally.digests.due);
      if (tally.feeds.skipped > 0) span.metadata("skipped", tally.feeds.skipped);
    });
  } finally {
    deadline.dispose();
  }

  const result: RunResult = {
    strategy: plan.strategy,
    reference: formatInstant(window.from),
    ...(plan.dryRun ? { dryRun: true } : {}),
    feeds: { ...tally.feeds },
    reminders: { ...tally.reminders },
    ...(feeds.some((feed) => feed.notices) ? { notices: { ...tally.notices } } : {}),
    ...(digests.length > 0 ? { digests: { ...tally.digests } } : {}),
    durationMs: Math.round(performance.now() - started),
    errors: tally.errors,
  };
  edges.log.info({ result }, "run finished");
  return result;
}

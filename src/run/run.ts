import { formatInstant } from "../calendar/wall-clock.ts";
import type { Config } from "../config/schema.ts";
import { digestsOf } from "../digests/digest.ts";
import { dueDigests } from "../digests/schedule.ts";
import type { FeedFetcher } from "../feeds/fetch.ts";
import type { SnapshotStore } from "../ledger/snapshots.ts";
import type { Logger } from "../log.ts";
import type { Snapshot } from "../notices/snapshot.ts";
import { MINUTE_MS } from "../reminders/durations.ts";
import type { Strategy } from "../reminders/feed.ts";
import { dueWindow } from "../reminders/window.ts";
import { type DeliveryTuning, POST_TIMEOUT_MS } from "../slack/delivery.ts";
import { WebhookPacers } from "../slack/pacer.ts";
import type { SlackPoster } from "../slack/webhook.ts";
import type { Tracer } from "../tracing/tracer.ts";
import { RunCalendars } from "./calendars.ts";
import type { RunContext, RunLedger } from "./context.ts";
import { Deadline, safetyMarginMs } from "./deadline.ts";
import { createDigestStage } from "./digests.ts";
import { runPipelined } from "./pipelined.ts";
import { type RunResult, RunTally } from "./result.ts";
import { runSerial } from "./serial.ts";
import { createStages } from "./stages.ts";

/** The I/O a run goes through; the handler builds the real ones, tests hand in their own. */
export interface RunEdges {
  fetcher: FeedFetcher;
  poster: SlackPoster;
  tracer: Tracer;
  log: Logger;
  clock: () => Date;
  /** Exactly-once delivery and catch-up (see `RunLedger`); a dry run leaves it alone. */
  ledger?: RunLedger | undefined;
  /**
   * Pace, retries and deadline of posting to Slack. Its `attemptTimeoutMs` (default
   * `POST_TIMEOUT_MS`) is the one timeout of every post of the run: reminders, digests and notices,
   * and what the deadline keeps back for them.
   */
  delivery?: DeliveryTuning | undefined;
  /** Where change notices keep each feed's snapshot; notices need the ledger too. */
  snapshots?: SnapshotStore<Snapshot> | undefined;
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
  const context = runContext(plan, edges);
  const { config, tally, deadline, window } = context;
  const digests = digestsOf(config, config.feeds);
  // With a ledger, digests due in the catch-up span that no run posted are posted now.
  const digestWindow = context.ledger
    ? { from: new Date(window.from.getTime() - context.ledger.catchUpMinutes * MINUTE_MS), to: window.to }
    : window;
  const due = dueDigests(digests, digestWindow);
  // Digests keep to the function's own time left where the run knows it.
  const digestContext = edges.remainingMs ? { ...context, delivery: { ...context.delivery, remainingMs: edges.remainingMs } } : context;
  const digestStage = due.length > 0 ? createDigestStage(due, digestContext) : undefined;
  const stages = createStages(context, digestStage);

  try {
    await edges.tracer.span(`strategy:${plan.strategy}`, async (span) => {
      span.annotate("strategy", plan.strategy);
      span.annotate("feeds", config.feeds.length);
      if (plan.strategy === "serial") await runSerial(config.feeds, stages, deadline);
      else await runPipelined(config.feeds, stages, { concurrency: config.concurrency, deadline });
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
    ...(config.feeds.some((feed) => feed.notices) ? { notices: { ...tally.notices } } : {}),
    ...(digests.length > 0 ? { digests: { ...tally.digests } } : {}),
    durationMs: Math.round(performance.now() - started),
    errors: tally.errors,
  };
  edges.log.info({ result }, "run finished");
  return result;
}

/** The one context every stage of the run works with, from the plan and the edges. */
function runContext(plan: RunPlan, edges: RunEdges): RunContext {
  const { config, dryRun } = plan;
  const tally = new RunTally(config.feeds.length);
  const attemptTimeoutMs = edges.delivery?.attemptTimeoutMs ?? POST_TIMEOUT_MS;
  const deadline = edges.remainingMs
    ? new Deadline({
        remainingMs: edges.remainingMs,
        // A feed may take twice its timeout in all (the fetcher's per-feed deadline: retries, redirects).
        marginMs: safetyMarginMs(2 * config.fetch.timeoutSeconds * 1000, attemptTimeoutMs),
        abortAtMs: attemptTimeoutMs + 1000,
        onSkip: (feed, message) => tally.feedSkipped(feed.id, message),
      })
    : Deadline.none();
  return {
    config,
    fetcher: edges.fetcher,
    poster: edges.poster,
    tracer: edges.tracer,
    log: edges.log,
    clock: edges.clock,
    window: dueWindow(plan.reference, config.scheduleMinutes),
    dryRun,
    tally,
    deadline,
    ledger: dryRun ? undefined : edges.ledger,
    // Change notices need the ledger, even in a dry run, where they are only shown.
    snapshots: edges.ledger ? edges.snapshots : undefined,
    delivery: { ...edges.delivery, attemptTimeoutMs },
    pacers: new WebhookPacers(edges.delivery?.pace),
    calendars: new RunCalendars(
      { instancesPerFeed: config.limits.instancesPerFeed, calendarSecondsPerFeed: config.limits.calendarSecondsPerFeed },
      deadline.signal,
    ),
  };
}

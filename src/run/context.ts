import type { Config } from "../config/schema.ts";
import type { FeedFetcher } from "../feeds/fetch.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { SnapshotStore } from "../ledger/snapshots.ts";
import type { Logger } from "../log.ts";
import type { Snapshot } from "../notices/snapshot.ts";
import type { TimeWindow } from "../reminders/window.ts";
import type { DeliveryTuning } from "../slack/delivery.ts";
import type { WebhookPacers } from "../slack/pacer.ts";
import type { SlackPoster } from "../slack/webhook.ts";
import type { Tracer } from "../tracing/tracer.ts";
import type { RunCalendars } from "./calendars.ts";
import type { Deadline } from "./deadline.ts";
import type { RunTally } from "./result.ts";

/**
 * Exactly-once delivery: reminders, digests and notices are claimed before posting, and those due
 * in the last `catchUpMinutes` before the run's window that no run delivered are sent now.
 */
export interface RunLedger {
  store: Ledger;
  catchUpMinutes: number;
}

/**
 * What every stage of one run works with: the run's edges and facts, built once by `runReminders`.
 * A stage that needs less takes a `Pick` of it.
 */
export interface RunContext {
  config: Config;
  fetcher: FeedFetcher;
  poster: SlackPoster;
  tracer: Tracer;
  log: Logger;
  /** Wall clock, for the countdown in messages. */
  clock: () => Date;
  /**
   * Reminders due in this window are sent. It starts at the run's reference time floored to the
   * minute: the horizon of change notices starts there too, so a retried run sees what the first saw.
   */
  window: TimeWindow;
  /** Render and log, but post nothing, claim nothing, store nothing. */
  dryRun: boolean;
  tally: RunTally;
  /** Admits feeds while enough time is left; its signal aborts downloads when the time is nearly up. */
  deadline: Deadline;
  /** The ledger the run claims in; absent without one and in a dry run, which claims nothing. */
  ledger: RunLedger | undefined;
  /** Where change notices keep each feed's snapshot; absent when notices cannot run (they need a ledger). */
  snapshots: SnapshotStore<Snapshot> | undefined;
  /** Pace, retries and deadline of posting to Slack; `attemptTimeoutMs` is the timeout of every post of the run. */
  delivery: DeliveryTuning & { attemptTimeoutMs: number };
  /** Each webhook's pace for the run, shared by its reminders, digests and notices (and their Retry-After pauses). */
  pacers: WebhookPacers;
  /** Reads and expands calendars in slices, each feed within its budget of instances and time for the run. */
  calendars: RunCalendars;
}

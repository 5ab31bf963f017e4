import { describeError, SlackDeliveryError } from "../errors.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { Logger } from "../log.ts";
import type { Reminder } from "../reminders/reminder.ts";
import { packMessages } from "./message.ts";
import { Pacer } from "./pacer.ts";
import { defaultRetryPolicy, type RetryPolicy, retryDelay } from "./retry-timing.ts";
import type { SlackPoster } from "./webhook.ts";

/** What became of one reminder handed to `deliver`. */
export type Outcome =
  | { kind: "sent" }
  /** The ledger says another run delivered it, or is delivering it. */
  | { kind: "duplicate" }
  | { kind: "failed"; error: Error };

/** Sends reminders to named webhooks, within Slack's limits, each reminder at most once. */
export interface Delivery {
  /**
   * Queues reminders for `webhook` and resolves, one outcome per reminder in order, once each was
   * posted, found a duplicate, or given up on. Never rejects.
   */
  deliver(webhook: string, reminders: readonly Reminder[]): Promise<Outcome[]>;
}

/** Timing of delivery; every field has a default, tests inject clocks and sleeps. */
export interface DeliveryTuning {
  retry?: RetryPolicy;
  /** Per webhook: at most `burst` posts in any `burst × intervalMs`. Default 2 per 2 s. */
  pace?: { burst: number; intervalMs: number };
  /** Longest wait for one attempt; shortened when the run's time runs short. Default 5 s. */
  attemptTimeoutMs?: number;
  /**
   * Milliseconds the run has left (Lambda's `getRemainingTimeInMillis`). No wait or attempt is
   * started that would end after it, less `reserveMs`. Default: no deadline.
   */
  remainingMs?: () => number;
  /** Kept back at the end of the run for the ledger and the result. Default 1 s. */
  reserveMs?: number;
  /** Monotonic milliseconds. Default `performance.now`. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** In `[0, 1)`, for jitter. Default `Math.random`. */
  random?: () => number;
}

export interface DeliveryOptions extends DeliveryTuning {
  poster: SlackPoster;
  /** Without one, every reminder is posted (the schedule's tiling windows keep them apart). */
  ledger?: Ledger | undefined;
  /** Wall clock for the messages' countdown ("in 10 minutes"). */
  clock: () => Date;
  log?: Logger;
}

interface Entry {
  reminder: Reminder;
  claimed: boolean;
  settle(outcome: Outcome): void;
}

/** Lambda's longest timeout: a claim outlives the run that holds it by no more than this. */
const LONGEST_RUN_MS = 15 * 60_000;

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One queue per webhook. Reminders that arrive while the webhook's post is in flight — or waiting
 * for its turn under the pace or a Retry-After — join the next message, so a burst of feeds for
 * one channel becomes few messages. Different webhooks run in parallel and never wait on each
 * other. A permanent refusal (revoked webhook, archived channel) ends the webhook for the run:
 * what is queued for it fails with the same error, unposted.
 */
export function createDelivery(options: DeliveryOptions): Delivery {
  const retry = options.retry ?? defaultRetryPolicy;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 5_000;
  const remainingMs = options.remainingMs ?? (() => Number.POSITIVE_INFINITY);
  const reserveMs = options.reserveMs ?? 1_000;
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? sleepFor;
  const random = options.random ?? Math.random;
  const lanes = new Map<string, Lane>();

  /** Time left for waiting and posting, once the reserve is kept back. */
  const usable = () => remainingMs() - reserveMs;

  class Lane {
    readonly webhook: string;
    readonly pacer = new Pacer(options.pace ?? { burst: 2, intervalMs: 1_000 });
    pending: Entry[] = [];
    running = false;
    refused: SlackDeliveryError | undefined;

    constructor(webhook: string) {
      this.webhook = webhook;
    }

    add(reminders: readonly Reminder[]): Promise<Outcome[]> {
      const outcomes = reminders.map(
        (reminder) =>
          new Promise<Outcome>((settle) => this.pending.push({ reminder, claimed: false, settle })),
      );
      if (!this.running) {
        this.running = true;
        void this.run();
      }
      return Promise.all(outcomes);
    }

    /** Waits for the pace and any Retry-After; false when that would pass the deadline. */
    async turn(): Promise<boolean> {
      for (;;) {
        const wait = this.pacer.waitMs(now());
        if (wait === 0) return true;
        if (wait >= usable()) return false;
        await sleep(wait);
      }
    }

    async run(): Promise<void> {
      try {
        while (this.pending.length > 0) {
          let taken: Entry[] = [];
          try {
            if (this.refused) {
              await this.fail(this.pending.splice(0), this.refused);
              continue;
            }
            // Wait before taking the batch: what arrives during the wait joins this message.
            if (!(await this.turn())) {
              await this.fail(this.pending.splice(0), this.outOfTime());
              continue;
            }
            taken = this.pending.splice(0);
            const batch = await this.claim(taken);
            const [first] = packMessages(
              batch.map((entry) => entry.reminder),
              options.clock(),
            );
            if (!first) continue;
            // The message carries every reminder of each occurrence it shows, wherever they were in
            // the batch; each still settles on its own. What did not fit goes first in the next
            // message, together with whatever arrives meanwhile.
            const carried = new Set(first.reminders);
            this.pending.unshift(...batch.filter((entry) => !carried.has(entry.reminder)));
            await this.send(batch.filter((entry) => carried.has(entry.reminder)), first.message);
          } catch (error) {
            // A bug, not Slack: settle what this step held rather than leave its callers waiting,
            // and take it out of the queue so it is not posted later without its claim.
            this.pending = this.pending.filter((entry) => !taken.includes(entry));
            await this.fail(taken, error as Error);
          }
        }
      } finally {
        // Cleared in the same tick as the last check of `pending` (a `finally` runs synchronously
        // after the loop ends), so an add() from then on starts a new run rather than waiting on
        // this one.
        this.running = false;
      }
    }

    /** Claims the batch's unclaimed reminders; duplicates are settled and left out. */
    async claim(batch: Entry[]): Promise<Entry[]> {
      const fresh = batch.filter((entry) => !entry.claimed);
      if (!options.ledger || fresh.length === 0) {
        for (const entry of fresh) entry.claimed = true;
        return batch;
      }
      let held: Set<string>;
      try {
        held = await options.ledger.claim(
          fresh.map((entry) => entry.reminder.id),
          Math.max(1, Math.min(remainingMs(), LONGEST_RUN_MS)),
        );
      } catch (error) {
        // Posting without a claim could post twice; the next run's catch-up will deliver these.
        for (const entry of fresh) entry.settle({ kind: "failed", error: error as Error });
        return batch.filter((entry) => entry.claimed);
      }
      return batch.filter((entry) => {
        if (entry.claimed) return true;
        if (held.has(entry.reminder.id)) {
          entry.claimed = true;
          return true;
        }
        entry.settle({ kind: "duplicate" });
        return false;
      });
    }

    /** Posts one message, retrying what may pass; settles its reminders either way. */
    async send(entries: Entry[], message: Parameters<SlackPoster["post"]>[1]): Promise<void> {
      for (let attempt = 1; ; attempt += 1) {
        if (attempt > 1 && !(await this.turn())) return this.fail(entries, this.outOfTime());
        const timeoutMs = Math.min(attemptTimeoutMs, usable());
        if (timeoutMs <= 0) return this.fail(entries, this.outOfTime());
        this.pacer.posted(now());
        try {
          await options.poster.post(this.webhook, message, { timeoutMs });
        } catch (thrown) {
          const error =
            thrown instanceof SlackDeliveryError
              ? thrown
              : new SlackDeliveryError(this.webhook, `webhook "${this.webhook}": ${describeError(thrown)}`, {
                  cause: thrown,
                });
          if (error.retryAfterSeconds !== undefined) {
            this.pacer.pauseUntil(now() + error.retryAfterSeconds * 1000);
          }
          const delay = retryDelay(retry, attempt, error, random);
          options.log?.warn(
            { webhook: this.webhook, attempt, error: error.message, retryInMs: delay },
            delay === undefined
              ? error.transient
                ? "Slack post failed; not retrying"
                : "Slack refused the message"
              : "Slack post failed; retrying",
          );
          if (delay === undefined) {
            const failure = attempt > 1 ? afterAttempts(error, attempt) : error;
            // 400 (invalid_payload, invalid_blocks) is about this message, not the webhook.
            if (!error.transient && error.status !== 400) this.refused = failure;
            return this.fail(entries, failure);
          }
          if (delay >= usable()) return this.fail(entries, this.outOfTime(error));
          await sleep(delay);
          continue;
        }
        // Calendar text only (titles, times); the webhook is named, never its URL.
        options.log?.debug({ webhook: this.webhook, reminders: entries.length, attempt, text: message.text }, "message posted");
        await this.done(entries);
        return;
      }
    }

    async done(entries: Entry[]): Promise<void> {
      if (options.ledger) {
        try {
          await options.ledger.done(entries.map((entry) => entry.reminder.id));
        } catch (error) {
          // Slack has the message; the claims lapse at the end of the run's time, after which a
          // catch-up could post again. Say so rather than count the reminders as failed.
          options.log?.error({ webhook: this.webhook, error: describeError(error) }, "delivered, but not recorded");
        }
      }
      for (const entry of entries) entry.settle({ kind: "sent" });
    }

    async fail(entries: Entry[], error: Error): Promise<void> {
      const claimed = entries.filter((entry) => entry.claimed).map((entry) => entry.reminder.id);
      if (options.ledger && claimed.length > 0) {
        try {
          await options.ledger.release(claimed);
        } catch (releaseError) {
          options.log?.error({ webhook: this.webhook, error: describeError(releaseError) }, "claims not released");
        }
      }
      for (const entry of entries) entry.settle({ kind: "failed", error });
    }

    outOfTime(last?: SlackDeliveryError): SlackDeliveryError {
      const why = last ? ` (last attempt: ${last.message})` : "";
      return new SlackDeliveryError(
        this.webhook,
        `webhook "${this.webhook}": not delivered before the run's time ran out${why}; with a ledger the next run catches up`,
        { transient: true, ...(last ? { cause: last } : {}) },
      );
    }
  }

  return {
    deliver(webhook, reminders) {
      if (reminders.length === 0) return Promise.resolve([]);
      let lane = lanes.get(webhook);
      if (!lane) {
        lane = new Lane(webhook);
        lanes.set(webhook, lane);
      }
      return lane.add(reminders);
    },
  };
}

function afterAttempts(error: SlackDeliveryError, attempts: number): SlackDeliveryError {
  return new SlackDeliveryError(error.webhook, `${error.message} (after ${attempts} attempts)`, {
    cause: error,
    transient: error.transient,
    ...(error.status === undefined ? {} : { status: error.status }),
  });
}

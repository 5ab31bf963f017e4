import { describeError, LedgerError, SlackDeliveryError } from "../errors.ts";
import { type Ledger, type LedgerState, LONGEST_RUN_MS } from "../ledger/ledger.ts";
import type { Logger } from "../log.ts";
import { occurrenceKey, type Reminder } from "../reminders/reminder.ts";
import { MessagePacker } from "./message.ts";
import { Pacer } from "./pacer.ts";
import { defaultRetryPolicy, type RetryPolicy, retryDelay } from "./retry-timing.ts";
import type { SlackPoster } from "./webhook.ts";

/** What became of one reminder handed to `deliver`. */
export type Outcome =
  /** Posted. `unrecorded`: the ledger could not mark it delivered (it stays "sending": never sent again). */
  | { kind: "sent"; unrecorded?: LedgerError }
  /** The ledger says another run delivered it, or Slack refused it for good before. */
  | { kind: "duplicate" }
  /**
   * It may have been posted: this run's request lost its answer, or the ledger shows a run that
   * was posting it and never said how it ended. Not sent again (at most once).
   */
  | { kind: "unknown"; error: Error }
  /** Claimed by another run that has not posted it; when that run's time ends (`until`), a catch-up may send it. */
  | { kind: "held"; until: number | undefined }
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
  /** Longest wait for Slack's answer to one attempt; shortened when the run's time runs short. Default `POST_TIMEOUT_MS`. */
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

/**
 * The time Slack gets to answer one post — a reminder's, a digest's or a notice's — unless the run
 * is given another (`DeliveryTuning.attemptTimeoutMs`). Slack usually answers within a second but
 * takes several under load, and a post given up on is not tried again (it may have arrived). The
 * run's deadline keeps this much time for the posts of the feeds it starts.
 */
export const POST_TIMEOUT_MS = 15_000;

interface Entry {
  reminder: Reminder;
  claimed: boolean;
  /** Epoch ms when this run's claim lapses. */
  until?: number;
  settle(outcome: Outcome): void;
}

/** The reminders of one occurrence: one entry in a message. */
type Group = Entry[];


const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Slack's answers about the message itself rather than the webhook: what a smaller message may fix. */
const isMessageRefusal = (error: SlackDeliveryError) => error.status === 400;

/**
 * One queue per webhook. Reminders that arrive while the webhook's post is in flight — or waiting
 * for its turn under the pace or a Retry-After — join the next message, so a burst of feeds for
 * one channel becomes few messages. Different webhooks run in parallel and never wait on each
 * other. A permanent refusal (revoked webhook, archived channel) ends the webhook for the run:
 * what is queued for it fails with the same error, unposted.
 *
 * With a ledger each reminder goes claimed → sending → delivered; "sending" is written just before
 * the post, so a run that dies mid-post, or a post whose answer never comes, leaves reminders that
 * no later run sends again. A post that certainly did not reach Slack gives its claims back.
 */
export function createDelivery(options: DeliveryOptions): Delivery {
  const retry = options.retry ?? defaultRetryPolicy;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? POST_TIMEOUT_MS;
  const remainingMs = options.remainingMs ?? (() => Number.POSITIVE_INFINITY);
  const reserveMs = options.reserveMs ?? 1_000;
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? sleepFor;
  const random = options.random ?? Math.random;
  const ledger = options.ledger;
  const lanes = new Map<string, Lane>();

  /** Time left for waiting and posting, once the reserve is kept back. */
  const usable = () => remainingMs() - reserveMs;

  class Lane {
    readonly webhook: string;
    readonly pacer = new Pacer(options.pace ?? { burst: 2, intervalMs: 1_000 });
    /** Queued entries by occurrence, in arrival order; a later reminder of a queued occurrence joins it. */
    pending = new Map<string, Group>();
    running = false;
    refused: SlackDeliveryError | undefined;

    constructor(webhook: string) {
      this.webhook = webhook;
    }

    add(reminders: readonly Reminder[]): Promise<Outcome[]> {
      const outcomes = reminders.map(
        (reminder) =>
          new Promise<Outcome>((settle) => {
            const key = occurrenceKey(reminder);
            const entry = { reminder, claimed: false, settle };
            const group = this.pending.get(key);
            if (group) group.push(entry);
            else this.pending.set(key, [entry]);
          }),
      );
      if (!this.running) {
        this.running = true;
        void this.run();
      }
      return Promise.all(outcomes);
    }

    /** Everything queued, taken out of the queue. */
    takeAll(): Entry[] {
      const all = [...this.pending.values()].flat();
      this.pending.clear();
      return all;
    }

    /** Takes, from the front of the queue, the occurrences one message can carry. */
    takeMessage(): Group[] {
      const packer = new MessagePacker(options.clock());
      const taken: Group[] = [];
      for (const [key, group] of this.pending) {
        if (!packer.add(group.map((entry) => entry.reminder))) break;
        taken.push(group);
        this.pending.delete(key);
      }
      return taken;
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
        while (this.pending.size > 0) {
          let taken: Entry[] = [];
          try {
            if (this.refused) {
              await this.fail(this.takeAll(), this.refused);
              continue;
            }
            // Wait before taking the message: what arrives during the wait joins it.
            if (!(await this.turn())) {
              await this.fail(this.takeAll(), this.outOfTime());
              continue;
            }
            const groups = this.takeMessage();
            taken = groups.flat();
            const held = await this.claim(groups);
            if (held.length > 0) await this.send(held, true);
          } catch (error) {
            // A bug, not Slack: settle what this step held rather than leave its callers waiting.
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

    /** Claims the groups' reminders; those the ledger holds elsewhere are settled and left out. */
    async claim(groups: Group[]): Promise<Group[]> {
      const fresh = groups.flat().filter((entry) => !entry.claimed);
      if (!ledger || fresh.length === 0) {
        for (const entry of fresh) entry.claimed = true;
        return groups;
      }
      let held: Set<string>;
      const holdMs = Math.max(1, Math.min(remainingMs(), LONGEST_RUN_MS));
      const until = Date.now() + holdMs;
      try {
        held = await ledger.claim(
          fresh.map((entry) => entry.reminder.id),
          holdMs,
        );
      } catch (error) {
        // Posting without a claim could post twice; the next run's catch-up will deliver these.
        for (const entry of fresh) entry.settle({ kind: "failed", error: error as Error });
        return [];
      }
      const others = fresh.filter((entry) => !held.has(entry.reminder.id));
      const states = await this.statesOf(others);
      // One error for all of them, so the result names them in one entry.
      let maybeSent: SlackDeliveryError | undefined;
      const earlierPost = () => (maybeSent ??= earlierPostUnknown(this.webhook));
      for (const entry of fresh) {
        if (held.has(entry.reminder.id)) {
          entry.claimed = true;
          entry.until = until;
        } else entry.settle(outcomeOf(states.get(entry.reminder.id), earlierPost));
      }
      return groups.map((group) => group.filter((entry) => entry.claimed)).filter((group) => group.length > 0);
    }

    /** Why the ledger did not give these; when it cannot say, they count as another run's. */
    async statesOf(entries: Entry[]): Promise<Map<string, LedgerState>> {
      if (!ledger || entries.length === 0) return new Map();
      try {
        return await ledger.states(entries.map((entry) => entry.reminder.id));
      } catch (error) {
        options.log?.warn({ webhook: this.webhook, error: describeError(error) }, "could not read why reminders were not claimed");
        return new Map();
      }
    }

    /**
     * Posts the groups as one message, retrying what certainly did not reach Slack; settles every
     * reminder. A message Slack refuses as malformed is split in two until the reminder it cannot
     * take fails alone. `waited`: the pace was already waited for.
     */
    async send(groups: Group[], waited: boolean): Promise<void> {
      const entries = groups.flat();
      if (!waited && !(await this.turn())) return this.fail(entries, this.outOfTime());
      const packer = new MessagePacker(options.clock());
      for (const group of groups) packer.add(group.map((entry) => entry.reminder));
      const message = packer.build();
      if (ledger) {
        try {
          const until = Math.max(...entries.map((entry) => entry.until ?? Date.now() + LONGEST_RUN_MS));
          await ledger.sending(
            entries.map((entry) => entry.reminder.id),
            until,
          );
        } catch (error) {
          return this.fail(entries, error as Error);
        }
      }
      for (let attempt = 1; ; attempt += 1) {
        if (attempt > 1 && !(await this.turn())) return this.fail(entries, this.outOfTime());
        const timeoutMs = Math.min(attemptTimeoutMs, usable());
        if (timeoutMs <= 0) return this.fail(entries, this.outOfTime());
        this.pacer.posted(now());
        try {
          await options.poster.post(this.webhook, message, { timeoutMs });
        } catch (thrown) {
          const error = this.asDeliveryError(thrown);
          if (error.retryAfterSeconds !== undefined) {
            this.pacer.pauseUntil(now() + error.retryAfterSeconds * 1000);
          }
          if (error.outcomeUnknown) {
            options.log?.error(
              { webhook: this.webhook, reminders: entries.length, attempt, error: error.message },
              "Slack's answer never came: the message may have been posted; not sending it again",
            );
            for (const entry of entries) entry.settle({ kind: "unknown", error });
            return;
          }
          if (isMessageRefusal(error) && groups.length > 1) {
            options.log?.warn({ webhook: this.webhook, reminders: entries.length, error: error.message }, "Slack refused the message; splitting it");
            const half = Math.ceil(groups.length / 2);
            await this.send(groups.slice(0, half), false);
            await this.send(groups.slice(half), false);
            return;
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
            if (isMessageRefusal(error)) return this.reject(entries, failure);
            if (!error.transient) this.refused = failure;
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

    asDeliveryError(thrown: unknown): SlackDeliveryError {
      if (thrown instanceof SlackDeliveryError) return thrown;
      // Not the poster's own error: nothing says the request did not leave.
      return new SlackDeliveryError(this.webhook, `webhook "${this.webhook}": ${describeError(thrown)}`, {
        cause: thrown,
        transient: true,
        outcomeUnknown: true,
      });
    }

    async done(entries: Entry[]): Promise<void> {
      let unrecorded: LedgerError | undefined;
      if (ledger) {
        try {
          await ledger.done(entries.map((entry) => entry.reminder.id));
        } catch (error) {
          // Slack has the message and the ledger says "sending": no run posts it again, but later
          // runs will count it as unknown. Say so in the result rather than hide it.
          unrecorded =
            error instanceof LedgerError
              ? error
              : new LedgerError("ledger", `could not mark reminders delivered (${describeError(error)})`, { cause: error });
          options.log?.error({ webhook: this.webhook, reminders: entries.length, error: unrecorded.message }, "delivered, but not recorded");
        }
      }
      for (const entry of entries) entry.settle(unrecorded ? { kind: "sent", unrecorded } : { kind: "sent" });
    }

    /** Slack refused this very reminder's message: marked so no later run sends it again. */
    async reject(entries: Entry[], error: SlackDeliveryError): Promise<void> {
      if (ledger) {
        try {
          await ledger.rejected(entries.map((entry) => entry.reminder.id));
        } catch (ledgerError) {
          options.log?.error({ webhook: this.webhook, error: describeError(ledgerError) }, "refused reminder not recorded");
          return this.fail(entries, error);
        }
      }
      for (const entry of entries) entry.settle({ kind: "failed", error });
    }

    /** Settles entries as failed, giving their claims back: their message did not reach Slack. */
    async fail(entries: Entry[], error: Error): Promise<void> {
      const claimed = entries.filter((entry) => entry.claimed).map((entry) => entry.reminder.id);
      if (ledger && claimed.length > 0) {
        try {
          await ledger.release(claimed);
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

/** The outcome of a reminder the ledger did not give this run, from what the ledger holds. */
function outcomeOf(state: LedgerState | undefined, earlierPost: () => SlackDeliveryError): Outcome {
  switch (state?.state) {
    case "sending":
      // Still within the sending run's time: its post may be in flight; that run reports it.
      if (state.until !== undefined && state.until > Date.now()) return { kind: "held", until: state.until };
      return { kind: "unknown", error: earlierPost() };
    case "claimed":
      return { kind: "held", until: state.until };
    case "free":
      // Released between our claim and this read: its holder gave up; a later run catches it up.
      return { kind: "held", until: undefined };
    default:
      return { kind: "duplicate" };
  }
}

function earlierPostUnknown(webhook: string): SlackDeliveryError {
  return new SlackDeliveryError(
    webhook,
    `webhook "${webhook}": an earlier run was posting these reminders and stopped before Slack's answer; they may have been posted, so they are not sent again`,
    { outcomeUnknown: true },
  );
}

function afterAttempts(error: SlackDeliveryError, attempts: number): SlackDeliveryError {
  return new SlackDeliveryError(error.webhook, `${error.message} (after ${attempts} attempts)`, {
    cause: error,
    transient: error.transient,
    ...(error.status === undefined ? {} : { status: error.status }),
  });
}

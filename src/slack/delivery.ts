import type { LedgerError } from "../errors.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { Logger } from "../log.ts";
import type { Reminder } from "../reminders/reminder.ts";
import { DeliveryClaims } from "./claims.ts";
import { Lane, type LaneContext } from "./lane.ts";
import { DEFAULT_PACE, WebhookPacers } from "./pacer.ts";
import { defaultRetryPolicy, type RetryPolicy } from "./retry-timing.ts";
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
  /**
   * Claimed by another run that has not posted it; when that run's time ends (`until`), a catch-up
   * may send it. `sending`: that run was posting it when last heard of: it is never sent again.
   */
  | { kind: "held"; until: number | undefined; sending?: boolean }
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
  /** The run's pacer of each webhook, shared with its digests and notices. Default: the delivery's own, at `pace`. */
  pacers?: WebhookPacers;
}

/**
 * The time Slack gets to answer one post — a reminder's, a digest's or a notice's — unless the run
 * is given another (`DeliveryTuning.attemptTimeoutMs`). Slack usually answers within a second but
 * takes several under load, and a post given up on is not tried again (it may have arrived). The
 * run's deadline keeps this much time for the posts of the feeds it starts.
 */
export const POST_TIMEOUT_MS = 15_000;

/** Waits `ms` on the real clock: the default `sleep` of every post to Slack. */
export const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
  const remainingMs = options.remainingMs ?? (() => Number.POSITIVE_INFINITY);
  const reserveMs = options.reserveMs ?? 1_000;
  const context: LaneContext = {
    poster: options.poster,
    clock: options.clock,
    log: options.log,
    claims: new DeliveryClaims(options.ledger, remainingMs),
    retry: options.retry ?? defaultRetryPolicy,
    attemptTimeoutMs: options.attemptTimeoutMs ?? POST_TIMEOUT_MS,
    pacers: options.pacers ?? new WebhookPacers(options.pace ?? DEFAULT_PACE),
    usable: () => remainingMs() - reserveMs,
    now: options.now ?? (() => performance.now()),
    sleep: options.sleep ?? sleepFor,
    random: options.random ?? Math.random,
  };
  const lanes = new Map<string, Lane>();
  return {
    deliver(webhook, reminders) {
      if (reminders.length === 0) return Promise.resolve([]);
      let lane = lanes.get(webhook);
      if (!lane) {
        lane = new Lane(webhook, context);
        lanes.set(webhook, lane);
      }
      return lane.add(reminders);
    },
  };
}

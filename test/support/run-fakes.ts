import { type Config, configOf } from "../../src/config/schema.ts";
import { FeedFetchError, SlackDeliveryError } from "../../src/errors.ts";
import type { FeedBody, FeedFetcher, FeedSource } from "../../src/feeds/fetch.ts";
import { silentLogger } from "../../src/log.ts";
import type { NoticePolicy } from "../../src/reminders/feed.ts";
import type { RunEdges, RunPlan } from "../../src/run/run.ts";
import type { SlackMessage } from "../../src/slack/message.ts";
import type { SlackPoster } from "../../src/slack/webhook.ts";
import { noTracer } from "../../src/tracing/tracer.ts";

/** The reference time of the fake runs: reminders due in [14:50, 14:55) go out. */
export const REFERENCE = new Date("2026-03-12T14:50:00Z");

/** A calendar with one event at 15:00Z, so a 10-minute lead makes it due in the run's window. */
export function calendarDueNow(feedId: string): string {
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//test//run//EN",
    "BEGIN:VEVENT",
    `UID:${feedId}@test`,
    "DTSTAMP:20260301T000000Z",
    "DTSTART:20260312T150000Z",
    "DTEND:20260312T153000Z",
    `SUMMARY:Meeting of ${feedId}`,
    "END:VEVENT",
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}

/** A run plan over `count` feeds named f0…, each posting to webhook `hook<i % webhooks>`. */
export function planFor(
  count: number,
  options: { strategy: "serial" | "pipelined"; webhooks?: number; concurrency?: number; notices?: NoticePolicy },
): RunPlan {
  const webhooks = options.webhooks ?? count;
  const config: Config = configOf({
    concurrency: options.concurrency ?? 16,
    ...(options.notices ? { notices: options.notices } : {}),
    webhooks: Object.fromEntries(Array.from({ length: webhooks }, (_, i) => [`hook${i}`, `http://127.0.0.1:9/services/T/B${i}/secret`])),
    feeds: Array.from({ length: count }, (_, i) => ({
      id: `f${i}`,
      url: `http://127.0.0.1:9/private/token/f${i}.ics`,
      webhook: `hook${i % webhooks}`,
    })),
  });
  return { config, reference: REFERENCE, strategy: options.strategy, dryRun: false };
}

/** A pending download the test answers when it chooses. */
export interface PendingFetch {
  feed: FeedSource;
  signal: AbortSignal | undefined;
  answer(): void;
}

/**
 * A feed fetcher whose downloads wait until the test answers them: the test decides the order in
 * which bodies arrive, with no timers. `failures` maps a feed id to the error its download ends with.
 */
export function controlledFetcher(bodies: (feedId: string) => string = calendarDueNow, failures: Record<string, Error> = {}) {
  const pending: PendingFetch[] = [];
  const log: string[] = [];
  let inFlight = 0;
  let peak = 0;
  const fetcher: FeedFetcher = {
    fetchFeed(feed, signal) {
      log.push(`fetch ${feed.id}`);
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      return new Promise<FeedBody>((resolve, reject) => {
        pending.push({
          feed,
          signal,
          answer: () => {
            inFlight -= 1;
            log.push(`body ${feed.id}`);
            const failure = failures[feed.id];
            if (failure) reject(failure);
            else {
              const text = bodies(feed.id);
              resolve({ text, bytes: Buffer.byteLength(text), status: 200 });
            }
          },
        });
      });
    },
  };
  return {
    fetcher,
    pending,
    log,
    peak: () => peak,
    /** Answers the pending download at `index` (default: the oldest). */
    answer(index = 0) {
      const [next] = pending.splice(index, 1);
      if (!next) throw new Error("no download is pending");
      next.answer();
    },
  };
}

/** Lets every queued promise callback run; no timer involved beyond one macrotask. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Drives a run to its end: while it runs, answers one pending download at a time, chosen by
 * `pick` (default: a seeded shuffle), letting the run react in between.
 */
export async function driveToEnd<T>(
  run: Promise<T>,
  control: ReturnType<typeof controlledFetcher>,
  pick: (pending: readonly PendingFetch[]) => number = seededPick(7),
): Promise<T> {
  let done = false;
  const finished = run.finally(() => {
    done = true;
  });
  while (!done) {
    await settle();
    if (control.pending.length > 0) control.answer(pick(control.pending));
  }
  return finished;
}

/** Picks pending downloads in a pseudo-random but repeatable order. */
export function seededPick(seed: number): (pending: readonly PendingFetch[]) => number {
  let state = seed;
  return (pending) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % pending.length;
  };
}

/** A Slack poster that records posts; webhooks named in `refuse` answer 404 no_service. */
export function recordingPoster(refuse: readonly string[] = [], log: string[] = []) {
  const posts: { webhook: string; message: SlackMessage }[] = [];
  const poster: SlackPoster = {
    async post(webhook, message) {
      log.push(`post ${webhook}`);
      if (refuse.includes(webhook)) {
        throw new SlackDeliveryError(webhook, `webhook "${webhook}": HTTP 404 no_service`, { status: 404 });
      }
      posts.push({ webhook, message });
    },
  };
  return { poster, posts };
}

/** Run edges made of fakes; override what the test is about. */
export function fakeEdges(overrides: Partial<RunEdges> & Pick<RunEdges, "fetcher" | "poster">): RunEdges {
  return { tracer: noTracer, log: silentLogger(), clock: () => REFERENCE, ...overrides };
}

/** A download failing as a server error would. */
export function serverError(feedId: string): FeedFetchError {
  return new FeedFetchError(feedId, "HTTP 503 from 127.0.0.1:9 after 3 attempts", { status: 503, transient: true });
}

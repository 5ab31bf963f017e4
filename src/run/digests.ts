import type { ParsedCalendar } from "../calendar/expand.ts";
import { RunCalendars } from "./calendars.ts";
import type { Feed } from "../reminders/feed.ts";
import { agendaRange, type AgendaSource, buildAgenda } from "../digests/agenda.ts";
import { renderDigest } from "../digests/message.ts";
import type { DueDigest } from "../digests/schedule.ts";
import { describeError, SlackDeliveryError } from "../errors.ts";
import { type Ledger, LONGEST_RUN_MS } from "../ledger/ledger.ts";
import type { Logger } from "../log.ts";
import type { TimeWindow } from "../reminders/window.ts";
import { type DeliveryTuning, POST_TIMEOUT_MS } from "../slack/delivery.ts";
import type { SlackMessage } from "../slack/message.ts";
import { Pacer } from "../slack/pacer.ts";
import { defaultRetryPolicy, retryDelay } from "../slack/retry-timing.ts";
import type { SlackPoster } from "../slack/webhook.ts";
import type { Tracer } from "../tracing/tracer.ts";
import type { RunTally } from "./result.ts";

/** The run's digest posts: fed with the calendars the run reads, posted once every feed is read. */
export interface DigestStage {
  /** Hands over a feed's calendar, read by the run's parse stage. */
  read(feed: Feed, calendar: ParsedCalendar): Promise<void>;
  /** Posts every due digest; each reports to the tally and none throws. */
  send(): Promise<void>;
}

export interface DigestStageContext {
  poster: SlackPoster;
  tracer: Tracer;
  log: Logger;
  tally: RunTally;
  dryRun: boolean;
  /** The run's own window: digests due before it are catch-ups, posted only when no run posted them. */
  window: TimeWindow;
  ledger?: Ledger | undefined;
  delivery?: DeliveryTuning | undefined;
  /** Expands calendars within each feed's budget; the default limits without it. */
  calendars?: RunCalendars | undefined;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Digests use the feeds the run already fetched and parsed: each calendar is expanded over each
 * due digest's span here, from the same parsed calendar the reminders came from. A digest is
 * claimed in the ledger (digest, webhook and local day) before it is posted, marked delivered when
 * Slack took it, released when its first message failed — so the next run's catch-up posts it —
 * and never posted twice.
 */
export function createDigestStage(due: readonly DueDigest[], context: DigestStageContext): DigestStage {
  const { tracer, log, tally } = context;
  const calendars = context.calendars ?? new RunCalendars();
  const tuning = context.delivery ?? {};
  const retry = tuning.retry ?? defaultRetryPolicy;
  const now = tuning.now ?? (() => performance.now());
  const sleep = tuning.sleep ?? sleepFor;
  const random = tuning.random ?? Math.random;
  const remainingMs = tuning.remainingMs ?? (() => Number.POSITIVE_INFINITY);
  const usable = () => remainingMs() - (tuning.reserveMs ?? 1_000);
  const pacers = new Map<string, Pacer>();
  /** Per due digest, the occurrences of each feed read so far. */
  const sources = new Map<DueDigest, Map<string, AgendaSource>>(due.map((d) => [d, new Map()]));

  async function post(webhook: string, message: SlackMessage): Promise<void> {
    const pacer = pacers.get(webhook) ?? new Pacer(tuning.pace ?? { burst: 2, intervalMs: 1_000 });
    pacers.set(webhook, pacer);
    for (let attempt = 1; ; attempt += 1) {
      for (let wait = pacer.waitMs(now()); wait > 0; wait = pacer.waitMs(now())) {
        if (wait >= usable()) throw outOfTime(webhook);
        await sleep(wait);
      }
      const timeoutMs = Math.min(tuning.attemptTimeoutMs ?? POST_TIMEOUT_MS, usable());
      if (timeoutMs <= 0) throw outOfTime(webhook);
      pacer.posted(now());
      try {
        await context.poster.post(webhook, message, { timeoutMs });
        return;
      } catch (thrown) {
        const error =
          thrown instanceof SlackDeliveryError
            ? thrown
            : new SlackDeliveryError(webhook, `webhook "${webhook}": ${describeError(thrown)}`, { cause: thrown });
        if (error.retryAfterSeconds !== undefined) pacer.pauseUntil(now() + error.retryAfterSeconds * 1000);
        const delay = retryDelay(retry, attempt, error, random);
        log.warn({ webhook, attempt, error: error.message, retryInMs: delay }, "digest post failed");
        if (delay === undefined) {
          throw attempt > 1 ? new SlackDeliveryError(webhook, `${error.message} (after ${attempt} attempts)`, { cause: error }) : error;
        }
        if (delay >= usable()) throw outOfTime(webhook, error);
        await sleep(delay);
      }
    }
  }

  /** Claims the post; false when another run posted it or is posting it. */
  async function claim(item: DueDigest): Promise<boolean> {
    if (!context.ledger) return true;
    const held = await context.ledger.claim([item.id], Math.max(1, Math.min(remainingMs(), LONGEST_RUN_MS)));
    return held.has(item.id);
  }

  async function sendOne(item: DueDigest): Promise<void> {
    const { webhook } = item.digest;
    const catchingUp = item.dueAt < context.window.from;
    await tracer.span(`digest:${webhook}`, async (span) => {
      span.metadata("digest", item.digest.id);
      span.metadata("day", item.day);
      const read = sources.get(item) as Map<string, AgendaSource>;
      const unread = item.digest.feeds.filter((feed) => !read.has(feed.id));
      const agenda = buildAgenda(item, [...read.values()], unread);
      const facts = { webhook, digest: item.digest.id, day: item.day, events: agenda.events };
      span.metadata("events", agenda.events);
      if (agenda.events === 0 && unread.length === 0 && item.digest.skipEmpty) {
        log.info(facts, "digest skipped: no events");
        return;
      }
      const messages = renderDigest(agenda);
      if (context.dryRun) {
        tally.digests.due += 1;
        for (const message of messages) log.info({ ...facts, text: message.text, blocks: message.blocks.length }, "dry run: digest not posted");
        return;
      }
      let claimed: boolean;
      try {
        claimed = await claim(item);
      } catch (error) {
        tally.digests.due += 1;
        tally.digestFailed(webhook, `digest "${item.digest.id}" of ${item.day}: ${describeError(error)}`);
        span.fail(error);
        return;
      }
      if (!claimed) {
        // A catch-up another run posted was never this run's to send.
        if (!catchingUp) {
          tally.digests.due += 1;
          tally.digests.duplicate += 1;
        }
        log.info(facts, "digest already posted");
        return;
      }
      tally.digests.due += 1;
      let posted = 0;
      try {
        for (const message of messages) {
          await post(webhook, message);
          posted += 1;
        }
      } catch (error) {
        span.fail(error);
        const partly = posted > 0 ? ` (after ${posted} of ${messages.length} messages; the rest is not posted again)` : "";
        tally.digestFailed(webhook, `digest "${item.digest.id}" of ${item.day}: ${describeError(error)}${partly}`);
        log.error({ ...facts, posted, error: describeError(error) }, "digest failed");
        // Nothing posted: give the claim back so the next run catches up. Part posted: keep it, so
        // no message is posted twice.
        await settleClaim(item, posted > 0 ? "done" : "release");
        return;
      }
      tally.digests.sent += 1;
      span.metadata("messages", messages.length);
      log.info({ ...facts, messages: messages.length, catchUp: catchingUp }, "digest posted");
      await settleClaim(item, "done");
    });
  }

  async function settleClaim(item: DueDigest, how: "done" | "release"): Promise<void> {
    if (!context.ledger) return;
    try {
      await (how === "done" ? context.ledger.done([item.id]) : context.ledger.release([item.id]));
    } catch (error) {
      log.error({ webhook: item.digest.webhook, digest: item.digest.id, error: describeError(error) }, how === "done" ? "digest delivered, but not recorded" : "digest claim not released");
    }
  }

  return {
    async read(feed, calendar) {
      for (const item of due) {
        if (!item.digest.feeds.some((f) => f.id === feed.id)) continue;
        const { occurrences } = await calendars.occurrences(feed.id, calendar, { ...agendaRange(item), timezone: feed.timezone });
        sources.get(item)?.set(feed.id, { feed, occurrences });
      }
    },
    async send() {
      // Webhooks in parallel; one webhook's digests in order, at its pace.
      const byWebhook = Map.groupBy(due, (item) => item.digest.webhook);
      await Promise.all(
        [...byWebhook.values()].map(async (items) => {
          for (const item of items) await sendOne(item);
        }),
      );
    },
  };
}

function outOfTime(webhook: string, last?: SlackDeliveryError): SlackDeliveryError {
  const why = last ? ` (last attempt: ${last.message})` : "";
  return new SlackDeliveryError(
    webhook,
    `webhook "${webhook}": not delivered before the run's time ran out${why}; with a ledger the next run catches up`,
    { transient: true, ...(last ? { cause: last } : {}) },
  );
}

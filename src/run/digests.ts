import type { ParsedCalendar } from "../calendar/expand.ts";
import { type AgendaSource, agendaRange, buildAgenda } from "../digests/agenda.ts";
import { renderDigest } from "../digests/message.ts";
import type { DueDigest } from "../digests/schedule.ts";
import { ClaimLostError, describeError, SlackDeliveryError } from "../errors.ts";
import { holdMs } from "../ledger/ledger.ts";
import type { Feed } from "../reminders/feed.ts";
import { type DeliveryTuning, sleepFor } from "../slack/delivery.ts";
import type { SlackMessage } from "../slack/message.ts";
import { waitForTurn } from "../slack/pacer.ts";
import { defaultRetryPolicy, retryDelay } from "../slack/retry-timing.ts";
import type { Span } from "../tracing/tracer.ts";
import type { RunContext } from "./context.ts";

/** The run's digest posts: fed with the calendars the run reads, posted once every feed is read. */
export interface DigestStage {
  /** Hands over a feed's calendar, read by the run's parse stage. */
  read(feed: Feed, calendar: ParsedCalendar): Promise<void>;
  /** Posts every due digest; each reports to the tally and none throws. */
  send(): Promise<void>;
}

/** Posts one message of a digest to a webhook, paced and retried; throws a `SlackDeliveryError` when it gives up. */
type DigestPost = (webhook: string, message: SlackMessage) => Promise<void>;

/** One due digest on its way out: what the steps of its post share. */
interface Sending {
  item: DueDigest;
  span: Span;
  /** Due before the run's window: a catch-up, posted only when no run posted it. */
  catchingUp: boolean;
  /** What its log lines name. */
  facts: { webhook: string; digest: string; day: string; events: number };
}

/** Milliseconds the run has left for posting; without a deadline, no end. */
const timeLeft = (delivery: DeliveryTuning): (() => number) => delivery.remainingMs ?? (() => Number.POSITIVE_INFINITY);

/**
 * Digests use the feeds the run already fetched and parsed: each calendar is expanded over each
 * due digest's span here, from the same parsed calendar the reminders came from. A digest is
 * claimed in the ledger (digest, webhook and local day) before it is posted, marked delivered when
 * Slack took it, released when Slack certainly did not take its first message — so the next run's
 * catch-up posts it — and never posted twice. The run's `window` tells catch-ups (due before it) from its own digests.
 */
export function createDigestStage(
  due: readonly DueDigest[],
  context: Pick<RunContext, "poster" | "tracer" | "log" | "tally" | "dryRun" | "window" | "ledger" | "delivery" | "pacers" | "calendars">,
): DigestStage {
  const post = digestPost(context);
  /** Per due digest, the occurrences of each feed read so far. */
  const sources = new Map<DueDigest, Map<string, AgendaSource>>(due.map((d) => [d, new Map()]));

  return {
    async read(feed, calendar) {
      for (const item of due) {
        if (!item.digest.feeds.some((f) => f.id === feed.id)) continue;
        try {
          const { occurrences } = await context.calendars.occurrences(feed.id, calendar, { ...agendaRange(item), timezone: feed.timezone });
          sources.get(item)?.set(feed.id, { feed, occurrences });
        } catch (error) {
          // The digest names the feed as one it could not read; the feed's reminders go out.
          context.log.warn({ feed: feed.id, digest: item.digest.id, error: describeError(error) }, "digest could not read the feed");
        }
      }
    },
    async send() {
      // Webhooks in parallel; one webhook's digests in order, at its pace.
      const byWebhook = Map.groupBy(due, (item) => item.digest.webhook);
      await Promise.all(
        [...byWebhook.values()].map(async (items) => {
          for (const item of items) await sendDigest(context, item, sources.get(item) as Map<string, AgendaSource>, post);
        }),
      );
    },
  };
}

/**
 * Composes one due digest from the feeds read and posts it, unless it is empty and its digest skips
 * empty days, the run is a dry run (it is logged instead), or it is not this run's to post.
 */
async function sendDigest(
  context: Pick<RunContext, "tracer" | "log" | "tally" | "dryRun" | "window" | "ledger" | "delivery">,
  item: DueDigest,
  read: Map<string, AgendaSource>,
  post: DigestPost,
): Promise<void> {
  const { log, tally } = context;
  const { webhook } = item.digest;
  await context.tracer.span(`digest:${webhook}`, async (span) => {
    span.metadata("digest", item.digest.id);
    span.metadata("day", item.day);
    const unread = item.digest.feeds.filter((feed) => !read.has(feed.id));
    // In the digest's own order of feeds, not the order they happened to arrive in: an event two
    // feeds share names them, and shows its first feed's copy, the same way in every run.
    const sources = item.digest.feeds.flatMap((feed) => read.get(feed.id) ?? []);
    const agenda = buildAgenda(item, sources, unread);
    const facts = { webhook, digest: item.digest.id, day: item.day, events: agenda.events };
    span.metadata("events", agenda.events);
    if (agenda.events === 0 && unread.length === 0 && item.digest.skipEmpty) {
      log.info(facts, "digest skipped: no events");
      return;
    }
    const messages = renderDigest(agenda);
    if (context.dryRun) {
      tally.digests.due += 1;
      for (const message of messages) {
        log.info({ ...facts, text: message.text, blocks: message.blocks.length }, "dry run: digest not posted");
      }
      return;
    }
    const sending: Sending = { item, span, catchingUp: item.dueAt < context.window.from, facts };
    if (await claimDue(context, sending)) await postDigest(context, sending, messages, post);
  });
}

/**
 * Claims the digest and counts it: true when it is this run's to post. A digest another run posted
 * or is posting counts as a duplicate when it is due in this run's window; a catch-up another run
 * posted was never this run's to send. A ledger that cannot be asked fails the digest.
 */
async function claimDue(context: Pick<RunContext, "log" | "tally" | "ledger" | "delivery">, sending: Sending): Promise<boolean> {
  const { tally } = context;
  const { item, span } = sending;
  let claimed: boolean;
  try {
    claimed = await claim(context, item);
  } catch (error) {
    tally.digests.due += 1;
    tally.digestFailed(item.digest.webhook, `digest "${item.digest.id}" of ${item.day}: ${describeError(error)}`);
    span.fail(error);
    return false;
  }
  if (!claimed) {
    if (!sending.catchingUp) {
      tally.digests.due += 1;
      tally.digests.duplicate += 1;
    }
    context.log.info(sending.facts, "digest already posted");
    return false;
  }
  tally.digests.due += 1;
  return true;
}

/** Claims the post for the rest of the run; false when another run posted it or is posting it. */
async function claim({ ledger, delivery }: Pick<RunContext, "ledger" | "delivery">, item: DueDigest): Promise<boolean> {
  if (!ledger) return true;
  const held = await ledger.store.claim([item.id], holdMs(timeLeft(delivery)()));
  return held.has(item.id);
}

/**
 * Posts the digest's messages in order and settles its claim, as reminders are (see `Ledger`):
 * marked as being sent before the first message leaves, so neither a run that dies while posting
 * nor one whose answer never came leads a later run to post it again; delivered when Slack took
 * every message; released when none was posted and Slack certainly did not take it, so the next
 * run catches up; kept when some were, so no message is posted twice.
 */
async function postDigest(
  context: Pick<RunContext, "log" | "tally" | "ledger" | "delivery">,
  sending: Sending,
  messages: readonly SlackMessage[],
  post: DigestPost,
): Promise<void> {
  const { log, tally } = context;
  const { item, span, facts } = sending;
  const { webhook } = item.digest;
  const failed = (error: unknown, partly = "") => {
    span.fail(error);
    tally.digestFailed(webhook, `digest "${item.digest.id}" of ${item.day}: ${describeError(error)}${partly}`);
    log.error({ ...facts, error: describeError(error) }, "digest failed");
  };
  if (!(await markSending(context, item, failed))) return;
  let posted = 0;
  try {
    for (const message of messages) {
      await post(webhook, message);
      posted += 1;
    }
  } catch (error) {
    failed(error, posted > 0 ? ` (after ${posted} of ${messages.length} messages; the rest is not posted again)` : "");
    // An answer that never came may mean a message was posted: the claim stays as being sent.
    const unknown = error instanceof SlackDeliveryError && error.outcomeUnknown;
    if (posted > 0) await settleClaim(context, item, "done");
    else if (!unknown) await settleClaim(context, item, "release");
    return;
  }
  tally.digests.sent += 1;
  span.metadata("messages", messages.length);
  log.info({ ...facts, messages: messages.length, catchUp: sending.catchingUp }, "digest posted");
  await settleClaim(context, item, "done");
}

/**
 * Marks the claimed digest as being sent, until the run's time ends; false (the digest failed,
 * its claim given back) when the ledger cannot be written: nothing has been posted then.
 */
async function markSending(
  { ledger, delivery, log }: Pick<RunContext, "ledger" | "delivery" | "log">,
  item: DueDigest,
  failed: (error: unknown) => void,
): Promise<boolean> {
  if (!ledger) return true;
  try {
    await ledger.store.sending([item.id], Date.now() + holdMs(timeLeft(delivery)()));
    return true;
  } catch (error) {
    failed(error);
    // Another run took the digest over from a lapsed claim: its record is that run's to settle.
    if (!(error instanceof ClaimLostError)) await settleClaim({ ledger, log }, item, "release");
    return false;
  }
}

async function settleClaim({ ledger, log }: Pick<RunContext, "ledger" | "log">, item: DueDigest, how: "done" | "release"): Promise<void> {
  if (!ledger) return;
  try {
    await (how === "done" ? ledger.store.done([item.id]) : ledger.store.release([item.id]));
  } catch (error) {
    log.error(
      { webhook: item.digest.webhook, digest: item.digest.id, error: describeError(error) },
      how === "done" ? "digest delivered, but not recorded" : "digest claim not released",
    );
  }
}

/**
 * Posting for digests: each webhook at the pace it keeps for the run's reminders and notices too,
 * Retry-After honoured, transient failures retried, and no wait or attempt started that would end
 * after the run's time.
 */
function digestPost({ poster, log, delivery, pacers }: Pick<RunContext, "poster" | "log" | "delivery" | "pacers">): DigestPost {
  const retry = delivery.retry ?? defaultRetryPolicy;
  const now = delivery.now ?? (() => performance.now());
  const sleep = delivery.sleep ?? sleepFor;
  const random = delivery.random ?? Math.random;
  const remainingMs = timeLeft(delivery);
  const usable = () => remainingMs() - (delivery.reserveMs ?? 1_000);

  return async (webhook, message) => {
    const pacer = pacers.of(webhook);
    for (let attempt = 1; ; attempt += 1) {
      if (!(await waitForTurn(pacer, { now, sleep }, usable))) throw outOfTime(webhook);
      const timeoutMs = Math.min(delivery.attemptTimeoutMs, usable());
      if (timeoutMs <= 0) throw outOfTime(webhook);
      pacer.posted(now());
      try {
        await poster.post(webhook, message, { timeoutMs });
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
          throw attempt > 1
            ? new SlackDeliveryError(webhook, `${error.message} (after ${attempt} attempts)`, {
                cause: error,
                outcomeUnknown: error.outcomeUnknown,
              })
            : error;
        }
        if (delay >= usable()) throw outOfTime(webhook, error);
        await sleep(delay);
      }
    }
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

import type { ExpandOptions, Expansion, ParsedCalendar } from "../calendar/expand.ts";
import { ClaimLostError, describeError, SlackDeliveryError } from "../errors.ts";
import type { FeedBody } from "../feeds/fetch.ts";
import { holdMs, type Ledger } from "../ledger/ledger.ts";
import type { SnapshotStore } from "../ledger/snapshots.ts";
import { type NoticePlan, planNotices, readingSpan, rollForward } from "../notices/diff.ts";
import { packNotices, type ShownNotice } from "../notices/message.ts";
import { endsWhole, type Snapshot, shortHash } from "../notices/snapshot.ts";
import { DAY_MS } from "../reminders/durations.ts";
import type { Feed, NoticePolicy } from "../reminders/feed.ts";
import { sleepFor } from "../slack/delivery.ts";
import type { SlackMessage } from "../slack/message.ts";
import { waitForTurn } from "../slack/pacer.ts";
import type { Span } from "../tracing/tracer.ts";
import type { RunContext } from "./context.ts";

/** Change notices within a run: feeds are compared as they are read, and announced at the end. */
export interface NoticeStage {
  /** Compares a feed that was read with its snapshot. Never throws: problems go to the tally. */
  observe(feed: Feed, body: FeedBody, calendar: ParsedCalendar): Promise<void>;
  /**
   * Posts each webhook's notices of the run, all feeds together, in one message (more only where
   * Slack's limits need it), then stores the snapshots that changed. Never throws.
   */
  announce(): Promise<void>;
}

/** What comparing one feed found: the notices it shows, and the plan that knows its next snapshot. */
interface Compared {
  feed: Feed;
  plan: NoticePlan;
  notices: ShownNotice[];
}

/** One webhook's notices on their way out: what posting each of their messages shares. */
interface Announcing {
  webhook: string;
  span: Span;
  /** Where the notices were claimed. */
  ledger: Ledger;
  /** Ids of the run's notices that are out: posted now, or by another run. */
  delivered: Set<string>;
}

/** Below this much of the function's time left, notices wait for the next run rather than risk a cut post. */
const POST_RESERVE_MS = 2_000;

function wantedBy(feed: Feed): (title: string) => boolean {
  return (title) => (!feed.include || feed.include.test(title)) && !feed.exclude?.test(title);
}

/**
 * The run's change notices, each feed's snapshot kept in `snapshots`. The run's window starts the
 * horizon; its ledger claims each notice, so no run posts one twice (a dry run claims and stores
 * nothing, and only shows them).
 */
export function createNoticeStage(
  snapshots: SnapshotStore<Snapshot>,
  context: Pick<
    RunContext,
    "config" | "poster" | "tracer" | "log" | "tally" | "window" | "dryRun" | "ledger" | "delivery" | "pacers" | "calendars"
  >,
): NoticeStage {
  const compared: Compared[] = [];
  const position = new Map(context.config.feeds.map((feed, index) => [feed.id, index]));

  return {
    async observe(feed, body, calendar) {
      try {
        const found = await compareFeed(snapshots, context, { feed, body, calendar });
        if (found) compared.push(found);
      } catch (error) {
        context.tally.errors.push({ feed: feed.id, message: `change notices failed: ${describeError(error)}` });
      }
    },

    async announce() {
      // In the configuration's order of feeds, not the order they happened to arrive in: a
      // webhook's message lists the same changes the same way in every run.
      compared.sort((a, b) => (position.get(a.feed.id) ?? 0) - (position.get(b.feed.id) ?? 0));
      const byWebhook = Map.groupBy(
        compared.flatMap(({ notices }) => notices),
        (notice) => notice.webhook,
      );
      const delivered = new Set<string>();
      await Promise.all([...byWebhook].map(([webhook, notices]) => postNotices(context, webhook, notices, delivered)));
      if (context.dryRun) return;
      await storeSnapshots(snapshots, context, compared, delivered);
    },
  };
}

/** Compares one feed's reading with its snapshot; undefined when it has no notices or its snapshot cannot be read. */
async function compareFeed(
  snapshots: SnapshotStore<Snapshot>,
  { tracer, log, tally, window, calendars }: Pick<RunContext, "tracer" | "log" | "tally" | "window" | "calendars">,
  reading: { feed: Feed; body: FeedBody; calendar: ParsedCalendar },
): Promise<Compared | undefined> {
  const { feed } = reading;
  const policy = feed.notices;
  if (!policy) return undefined;
  return tracer.span(`notices:${feed.id}`, async (span) => {
    let previous: Snapshot | undefined;
    try {
      previous = await snapshots.load(feed.id);
    } catch (error) {
      span.fail(error);
      tally.errors.push({ feed: feed.id, message: describeError(error) });
      log.error({ feed: feed.id, error: describeError(error) }, "notice snapshot unreadable");
      return undefined;
    }
    const expand = (options: ExpandOptions) => calendars.occurrences(feed.id, reading.calendar, options);
    const { plan, unchanged } = await planReading({ ...reading, policy }, previous, window.from, expand);
    if (plan.suspect) {
      span.metadata("suspect", plan.suspect);
      tally.errors.push({ feed: feed.id, message: plan.suspect });
      log.warn({ feed: feed.id, reason: plan.suspect }, "notices skipped");
    }
    span.metadata("baseline", previous === undefined);
    span.metadata("unchanged", unchanged);
    span.metadata("notices", plan.notices.length);
    const notices = plan.notices.map((notice) => ({ ...notice, feedName: feed.name, timezone: feed.timezone, webhook: feed.webhook }));
    return { feed, plan, notices };
  });
}

/**
 * The notices of a reading against the snapshot before it. `unchanged`: the text is the one the
 * snapshot was taken from, so nothing is compared and only the slice that time brought into the
 * horizon is expanded. `reference`: where the horizon starts, so a retried run sees what the first saw.
 * `expand`: the calendar's occurrences in a span, within the feed's budget.
 */
async function planReading(
  reading: { feed: Feed; policy: NoticePolicy; body: FeedBody; calendar: ParsedCalendar },
  previous: Snapshot | undefined,
  reference: Date,
  expand: (options: ExpandOptions) => Promise<Expansion>,
): Promise<{ plan: NoticePlan; unchanged: boolean }> {
  const { feed, policy, body, calendar } = reading;
  const textHash = body.unchanged ? previous?.textHash : shortHash(body.text, 22);
  const options = { feedId: feed.id, now: reference, policy, wanted: wantedBy(feed) };
  const unchanged =
    previous !== undefined &&
    textHash === previous.textHash &&
    Object.keys(previous.pending).length === 0 &&
    previous.suspect === undefined;
  if (unchanged && previous) {
    const slice = await expand({
      from: new Date(previous.horizonEnd),
      to: new Date(reference.getTime() + policy.horizonDays * DAY_MS),
      timezone: feed.timezone,
    });
    return { plan: rollForward(previous, slice.occurrences, options), unchanged };
  }
  const expansion = await expand({ ...readingSpan(reference, policy), timezone: feed.timezone });
  const fresh = {
    occurrences: expansion.occurrences,
    eventCount: calendar.eventCount,
    textHash,
    cutShort: !body.unchanged && !endsWhole(body.text),
    skipped: [...calendar.skipped, ...expansion.skipped],
  };
  return { plan: planNotices(previous, fresh, options), unchanged };
}

/**
 * Posts one webhook's notices, claiming them first; those another run holds count as delivered.
 * In a dry run, or without a ledger, they are only logged. Adds the ids that are out to `delivered`.
 */
async function postNotices(
  context: Pick<RunContext, "poster" | "tracer" | "log" | "tally" | "dryRun" | "ledger" | "delivery" | "pacers">,
  webhook: string,
  notices: ShownNotice[],
  delivered: Set<string>,
): Promise<void> {
  const { log, tally } = context;
  await context.tracer.span(`notify:${webhook}`, async (span) => {
    span.metadata("notices", notices.length);
    const ledger = context.ledger?.store;
    if (context.dryRun || !ledger) {
      for (const { message, notices: group } of packNotices(notices)) {
        log.info({ webhook, notices: group.length, text: message.text }, "dry run: notices not posted");
      }
      return;
    }
    let held: Set<string>;
    try {
      held = await ledger.claim(
        notices.map((n) => n.id),
        context.delivery.remainingMs?.() ?? 60_000,
      );
    } catch (error) {
      span.fail(error);
      tally.noticesFailed(webhook, notices.length, error);
      return;
    }
    // Not held: another run posted it, or is posting it.
    for (const notice of notices) if (!held.has(notice.id)) delivered.add(notice.id);
    const announcing: Announcing = { webhook, span, ledger, delivered };
    for (const { message, notices: group } of packNotices(notices.filter((n) => held.has(n.id)))) {
      await postNoticeMessage(context, announcing, message, group);
    }
  });
}

/**
 * Posts one message of claimed notices and marks them delivered. They are marked as being sent
 * before the post leaves, as reminders are (see `Ledger`): when Slack's answer never comes they
 * may have been posted, and are never posted again (at most once). When Slack certainly did not
 * take them, or too little of the function's time is left to risk it, their claims are given back
 * for the next run.
 */
async function postNoticeMessage(
  { poster, log, tally, delivery, pacers }: Pick<RunContext, "poster" | "log" | "tally" | "delivery" | "pacers">,
  { webhook, span, ledger, delivered }: Announcing,
  message: SlackMessage,
  group: ShownNotice[],
): Promise<void> {
  const ids = group.map((n) => n.id);
  const remaining = () => delivery.remainingMs?.() ?? Number.POSITIVE_INFINITY;
  const now = delivery.now ?? (() => performance.now());
  // The webhook's pace for the run, which its reminders and digests keep too.
  const pacer = pacers.of(webhook);
  try {
    const clock = { now, sleep: delivery.sleep ?? sleepFor };
    if (!(await waitForTurn(pacer, clock, () => remaining() - POST_RESERVE_MS))) throw outOfTime(remaining());
    const left = remaining();
    if (left < POST_RESERVE_MS) throw outOfTime(left);
    await ledger.sending(ids, Date.now() + holdMs(left));
    pacer.posted(now());
    await poster.post(webhook, message, { timeoutMs: Math.min(delivery.attemptTimeoutMs, left - 1_000) });
  } catch (error) {
    span.fail(error);
    if (error instanceof SlackDeliveryError && error.retryAfterSeconds !== undefined) {
      pacer.pauseUntil(now() + error.retryAfterSeconds * 1000);
    }
    // Maybe posted (the answer never came): all out, for this run. Otherwise those another run
    // took over are its to post, and the rest of the message is given back.
    const out = error instanceof SlackDeliveryError && error.outcomeUnknown ? ids : error instanceof ClaimLostError ? error.ids : [];
    for (const id of out) delivered.add(id);
    if (out !== ids) await ledger.release(ids.filter((id) => !out.includes(id))).catch(() => {});
    tally.noticesFailed(webhook, group.length, error);
    log.error({ webhook, notices: group.length, error: describeError(error) }, "notices not delivered");
    return;
  }
  for (const id of ids) delivered.add(id);
  tally.notices.sent += group.length;
  log.info({ webhook, notices: group.length, kinds: group.map((n) => n.kinds.join("+")) }, "notices posted");
  await ledger.done(ids).catch((error: unknown) => {
    log.warn({ webhook, error: describeError(error) }, "notices posted but not marked in the ledger");
  });
}

function outOfTime(leftMs: number): Error {
  return new Error(`not posted: ${Math.round(Math.max(0, leftMs))} ms of the function's time left; the next run posts them`);
}

/** Stores each feed's next snapshot, now that `delivered` says which of its notices are out. */
async function storeSnapshots(
  snapshots: SnapshotStore<Snapshot>,
  { log, tally }: Pick<RunContext, "log" | "tally">,
  compared: readonly Compared[],
  delivered: Set<string>,
): Promise<void> {
  await Promise.all(
    compared.map(async ({ feed, plan }) => {
      const next = plan.next(delivered);
      if (!next) return;
      try {
        await snapshots.save(feed.id, next);
      } catch (error) {
        tally.errors.push({ feed: feed.id, message: describeError(error) });
        log.error({ feed: feed.id, error: describeError(error) }, "notice snapshot not stored");
      }
    }),
  );
}

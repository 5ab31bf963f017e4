import type { ParsedCalendar } from "../calendar/expand.ts";
import { RunCalendars } from "./calendars.ts";
import type { Feed } from "../reminders/feed.ts";
import { describeError } from "../errors.ts";
import type { FeedBody } from "../feeds/fetch.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { SnapshotStore } from "../ledger/snapshots.ts";
import type { Logger } from "../log.ts";
import type { RunTally } from "./result.ts";
import type { SlackPoster } from "../slack/webhook.ts";
import type { Tracer } from "../tracing/tracer.ts";
import { type NoticePlan, planNotices, readingSpan, rollForward } from "../notices/diff.ts";
import { packNotices, type ShownNotice } from "../notices/message.ts";
import { endsWhole, shortHash, type Snapshot } from "../notices/snapshot.ts";
import { DAY_MS } from "../reminders/durations.ts";

/** What the notice stage works with: the run's edges and facts. */
export interface NoticeContext {
  store: SnapshotStore<Snapshot>;
  /** Claims each notice, so no run posts it twice; absent in a dry run, which claims nothing. */
  ledger: Ledger | undefined;
  poster: SlackPoster;
  tracer: Tracer;
  log: Logger;
  tally: RunTally;
  /** The run's reference time: the horizon starts here, so a retried run sees what the first saw. */
  reference: Date;
  /** Show the notices, post nothing, store nothing. */
  dryRun: boolean;
  /** How long claims are held: the time the run has left. */
  remainingMs?: (() => number) | undefined;
  /** Longest wait for Slack's answer to a notice message: the run's post timeout. */
  postTimeoutMs: number;
  /** Expands calendars within each feed's budget; the default limits without it. */
  calendars?: RunCalendars | undefined;
}

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

/** Below this much of the function's time left, notices wait for the next run rather than risk a cut post. */
const POST_RESERVE_MS = 2_000;

function wantedBy(feed: Feed): (title: string) => boolean {
  return (title) => (!feed.include || feed.include.test(title)) && !feed.exclude?.test(title);
}

export function createNoticeStage(context: NoticeContext): NoticeStage {
  const { store, tracer, log, tally } = context;
  const calendars = context.calendars ?? new RunCalendars();
  const plans: { feed: Feed; plan: NoticePlan; notices: ShownNotice[] }[] = [];

  async function plan(feed: Feed, body: FeedBody, calendar: ParsedCalendar) {
    const policy = feed.notices;
    if (!policy) return;
    await tracer.span(`notices:${feed.id}`, async (span) => {
      let previous: Snapshot | undefined;
      try {
        previous = await store.load(feed.id);
      } catch (error) {
        span.fail(error);
        tally.errors.push({ feed: feed.id, message: describeError(error) });
        log.error({ feed: feed.id, error: describeError(error) }, "notice snapshot unreadable");
        return;
      }
      const textHash = body.unchanged ? previous?.textHash : shortHash(body.text, 22);
      const options = { feedId: feed.id, now: context.reference, policy, wanted: wantedBy(feed) };
      // Nothing to compare when the text is the one the snapshot was taken from; only the slice
      // that time brought into the horizon is expanded.
      const unchanged =
        previous !== undefined &&
        textHash === previous.textHash &&
        Object.keys(previous.pending).length === 0 &&
        previous.suspect === undefined;
      let result: NoticePlan;
      if (unchanged && previous) {
        const slice = await calendars.occurrences(feed.id, calendar, {
          from: new Date(previous.horizonEnd),
          to: new Date(context.reference.getTime() + policy.horizonDays * DAY_MS),
          timezone: feed.timezone,
        });
        result = rollForward(previous, slice.occurrences, options);
      } else {
        const expansion = await calendars.occurrences(feed.id, calendar, { ...readingSpan(context.reference, policy), timezone: feed.timezone });
        const reading = {
          occurrences: expansion.occurrences,
          eventCount: calendar.eventCount,
          textHash,
          cutShort: !body.unchanged && !endsWhole(body.text),
        };
        result = planNotices(previous, reading, options);
      }
      if (result.suspect) {
        span.metadata("suspect", result.suspect);
        tally.errors.push({ feed: feed.id, message: result.suspect });
        log.warn({ feed: feed.id, reason: result.suspect }, "notices skipped");
      }
      span.metadata("baseline", previous === undefined);
      span.metadata("unchanged", unchanged);
      span.metadata("notices", result.notices.length);
      const notices = result.notices.map((notice) => ({ ...notice, feedName: feed.name, timezone: feed.timezone, webhook: feed.webhook }));
      plans.push({ feed, plan: result, notices });
    });
  }

  async function post(webhook: string, notices: ShownNotice[], delivered: Set<string>): Promise<void> {
    await tracer.span(`notify:${webhook}`, async (span) => {
      span.metadata("notices", notices.length);
      if (context.dryRun || !context.ledger) {
        for (const { message, notices: group } of packNotices(notices)) {
          log.info({ webhook, notices: group.length, text: message.text }, "dry run: notices not posted");
        }
        return;
      }
      const ledger = context.ledger;
      let held: Set<string>;
      try {
        held = await ledger.claim(notices.map((n) => n.id), context.remainingMs?.() ?? 60_000);
      } catch (error) {
        span.fail(error);
        tally.noticesFailed(webhook, notices.length, error);
        return;
      }
      // Not held: another run posted it, or is posting it.
      for (const notice of notices) if (!held.has(notice.id)) delivered.add(notice.id);
      for (const { message, notices: group } of packNotices(notices.filter((n) => held.has(n.id)))) {
        const ids = group.map((n) => n.id);
        const left = context.remainingMs?.() ?? Number.POSITIVE_INFINITY;
        try {
          if (left < POST_RESERVE_MS) {
            throw new Error(`not posted: ${Math.round(left)} ms of the function's time left; the next run posts them`);
          }
          await context.poster.post(webhook, message, { timeoutMs: Math.min(context.postTimeoutMs, left - 1_000) });
        } catch (error) {
          span.fail(error);
          await ledger.release(ids).catch(() => {});
          tally.noticesFailed(webhook, group.length, error);
          log.error({ webhook, notices: group.length, error: describeError(error) }, "notices not delivered");
          continue;
        }
        for (const id of ids) delivered.add(id);
        tally.notices.sent += group.length;
        log.info({ webhook, notices: group.length, kinds: group.map((n) => n.kinds.join("+")) }, "notices posted");
        await ledger.done(ids).catch((error: unknown) => {
          log.warn({ webhook, error: describeError(error) }, "notices posted but not marked in the ledger");
        });
      }
    });
  }

  return {
    async observe(feed, body, calendar) {
      try {
        await plan(feed, body, calendar);
      } catch (error) {
        tally.errors.push({ feed: feed.id, message: `change notices failed: ${describeError(error)}` });
      }
    },

    async announce() {
      const byWebhook = new Map<string, ShownNotice[]>();
      for (const { notices } of plans) {
        for (const notice of notices) byWebhook.set(notice.webhook, [...(byWebhook.get(notice.webhook) ?? []), notice]);
      }
      const delivered = new Set<string>();
      await Promise.all([...byWebhook].map(([webhook, notices]) => post(webhook, notices, delivered)));
      if (context.dryRun) return;
      await Promise.all(
        plans.map(async ({ feed, plan: result }) => {
          const next = result.next(delivered);
          if (!next) return;
          try {
            await store.save(feed.id, next);
          } catch (error) {
            tally.errors.push({ feed: feed.id, message: describeError(error) });
            log.error({ feed: feed.id, error: describeError(error) }, "notice snapshot not stored");
          }
        }),
      );
    },
  };
}

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.ts";
import { createFeedFetcher } from "../../src/feeds/fetch.ts";
import { createDynamoLedger } from "../../src/ledger/dynamodb.ts";
import { createDynamoSnapshotStore } from "../../src/ledger/snapshots-dynamodb.ts";
import { silentLogger } from "../../src/log.ts";
import { type RunEdges, runReminders } from "../../src/run/run.ts";
import { createSlackPoster } from "../../src/slack/webhook.ts";
import { noTracer } from "../../src/tracing/tracer.ts";
import { type LocalDynamo, startDynamo } from "../support/dynalite.ts";
import { type Loopback, type SlackPost, type SlackReply, startLoopback, startSlack } from "../support/loopback.ts";
import { virtualTime } from "../support/virtual-time.ts";

const fixture = (name: string) => readFileSync(join("test/fixtures/notices", name), "utf8");
const at = (iso: string) => new Date(iso);

/** What the feed host answers for /team.ics: a calendar, an HTML page, or a status. */
type FeedAnswer = { status: number; type: string; body: string };
const calendarAnswer = (name: string): FeedAnswer => ({ status: 200, type: "text/calendar", body: fixture(name) });

describe("change notices over consecutive runs (dynalite on 127.0.0.1)", () => {
  let dynamo: LocalDynamo;
  let feeds: Loopback;
  let feed: FeedAnswer;
  /** Answers for other paths than /team.ics, and how many ms later a path is answered. */
  let byPath: Map<string, FeedAnswer>;
  let slowness: Map<string, number>;
  let slack: Loopback & { posts: SlackPost[] };
  let answer: (post: SlackPost) => SlackReply;
  let table: string;

  beforeAll(async () => {
    dynamo = await startDynamo();
    feeds = await startLoopback((request, response) => {
      const path = request.url ?? "";
      const answer = byPath.get(path) ?? feed;
      setTimeout(() => response.writeHead(answer.status, { "content-type": answer.type }).end(answer.body), slowness.get(path) ?? 0);
    });
  });

  afterAll(async () => {
    await Promise.all([dynamo.close(), feeds.close()]);
  });

  beforeEach(async () => {
    feed = calendarAnswer("week-ahead.ics");
    byPath = new Map();
    slowness = new Map();
    answer = () => ({ status: 200, body: "ok" });
    slack = await startSlack((post) => answer(post));
    table = await dynamo.createLedgerTable();
  });

  afterEach(async () => {
    await slack.close();
  });

  /** One run as the handler wires it, on the scheduled time `reference`. */
  async function run(reference: Date, notices: Record<string, unknown> = { quietMinutes: 0 }, more: { id: string; name: string }[] = []) {
    const config = await parseConfig(
      JSON.stringify({
        webhooks: { team: `${slack.url}/services/T0/B0/hooksecret` },
        feeds: [
          { id: "team", name: "Team calendar", url: `${feeds.url}/team.ics`, webhook: "team" },
          ...more.map(({ id, name }) => ({ id, name, url: `${feeds.url}/${id}.ics`, webhook: "team" })),
        ],
        ledger: { table },
        notices,
      }),
      "test",
    );
    const time = virtualTime();
    const edges: RunEdges = {
      fetcher: createFeedFetcher({ timeoutMs: 2_000, maxBytes: 1_000_000, attempts: 1 }),
      poster: createSlackPoster({ webhooks: config.webhooks, timeoutMs: 2_000 }),
      tracer: noTracer,
      log: silentLogger(),
      clock: () => reference,
      ledger: { store: createDynamoLedger({ table, client: dynamo.client }), catchUpMinutes: 15 },
      snapshots: createDynamoSnapshotStore({ table, client: dynamo.client }),
      delivery: { now: time.now, sleep: time.sleep },
    };
    return runReminders({ config, reference, strategy: "pipelined", dryRun: false }, edges);
  }

  /** The notice lines Slack received, message by message. */
  const noticeMessages = () =>
    slack.posts
      .filter((post) => /calendar change/i.test(post.payload.text))
      .map((post) =>
        (post.payload.blocks as { type: string; text?: { text: string } }[])
          .filter((block) => block.type === "section")
          .map((block) => block.text?.text ?? ""),
      );
  const reminderTitles = () =>
    slack.posts.filter((post) => /^Reminder|reminders:/.test(post.payload.text)).map((post) => post.payload.text);

  it("posts added, moved, retitled and cancelled (by STATUS, EXDATE and removal) once each, in one message, after a silent first run", async () => {
    // Prepare: the first read sets the baseline
    const first = await run(at("2026-03-09T09:00:00Z"));
    const afterFirst = slack.posts.length;
    feed = calendarAnswer("week-ahead-every-change.ics");

    // Act: the feed changed; then the next run, and Lambda retrying that run
    const changed = await run(at("2026-03-09T09:05:00Z"));
    const next = await run(at("2026-03-09T09:10:00Z"));
    const retried = await run(at("2026-03-09T09:05:00Z"));

    // Assess
    expect(afterFirst).toBe(0);
    expect(first.notices).toEqual({ sent: 0, failed: 0 });
    expect(changed.notices).toEqual({ sent: 5, failed: 0 });
    expect(next.notices).toEqual({ sent: 0, failed: 0 });
    expect(retried.notices).toEqual({ sent: 0, failed: 0 });
    const messages = noticeMessages();
    expect(messages).toHaveLength(1);
    const lines = messages[0] as string[];
    expect(lines).toHaveLength(5);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^:arrow_right: \*Design review\* moved from <!date\^1773151200\^.*> to <!date\^1773309600\^/),
        expect.stringMatching(/^:pencil2: \*Retro\* on <!date\^1773327600\^.*> is now called \*Retro &lt;!here&gt; &amp; cake\*$/),
        expect.stringMatching(/^:x: \*Team lunch\* on <!date\^1773230400\^.*> is cancelled$/),
        expect.stringMatching(/^:x: \*Sprint demo\* on <!date\^1773417600\^.*> is cancelled$/),
        expect.stringMatching(/^:new: \*Offsite planning\* on <!date\^1773223200\^.*> was added$/),
      ]),
    );
    expect(slack.posts[0]?.payload.text).toMatch(
      /^5 calendar changes: Design review moved from Tue, Mar 10, 14:00 UTC to Thu, Mar 12, 10:00 UTC \(UTC\)/,
    );
  });

  it("lists the changes of several feeds in the configuration's order, whichever feed answers first", async () => {
    const ops = [{ id: "ops", name: "Ops calendar" }];
    for (const slow of ["/team.ics", "/ops.ics"]) {
      // Prepare: both feeds read once; then the review is removed from one and moved in the other
      table = await dynamo.createLedgerTable();
      slack.posts.length = 0;
      feed = calendarAnswer("week-ahead.ics");
      byPath = new Map([["/ops.ics", calendarAnswer("week-ahead.ics")]]);
      await run(at("2026-03-09T09:00:00Z"), { quietMinutes: 0 }, ops);
      feed = calendarAnswer("week-ahead-review-removed.ics");
      byPath = new Map([["/ops.ics", calendarAnswer("week-ahead-review-moved-to-friday.ics")]]);
      slowness = new Map([[slow, 150]]);

      // Act
      await run(at("2026-03-09T09:05:00Z"), { quietMinutes: 0 }, ops);

      // Assess: the team calendar comes first in the configuration
      expect(noticeMessages(), `${slow} slow`).toEqual([
        [
          expect.stringMatching(/^:x: \*Design review\* on .* is cancelled$/),
          expect.stringMatching(/^:arrow_right: \*Design review\* moved from /),
        ],
      ]);
    }
  });

  it("posts a removed event as cancelled, once", async () => {
    // Prepare
    await run(at("2026-03-09T09:00:00Z"));
    feed = calendarAnswer("week-ahead-review-removed.ics");

    // Act
    const removed = await run(at("2026-03-09T09:05:00Z"));
    const again = await run(at("2026-03-09T09:10:00Z"));

    // Assess
    expect(noticeMessages()).toEqual([[expect.stringMatching(/^:x: \*Design review\* on .* is cancelled$/)]]);
    expect(removed.notices?.sent).toBe(1);
    expect(again.notices?.sent).toBe(0);
  });

  it("posts nothing twice when two runs of the same time overlap", async () => {
    // Prepare
    await run(at("2026-03-09T09:00:00Z"));
    feed = calendarAnswer("week-ahead-review-moved-to-thursday.ics");

    // Act
    const [one, two] = await Promise.all([run(at("2026-03-09T09:05:00Z")), run(at("2026-03-09T09:05:00Z"))]);

    // Assess
    expect(noticeMessages()).toHaveLength(1);
    expect((one.notices?.sent ?? 0) + (two.notices?.sent ?? 0)).toBe(1);
  });

  it("posts no cancelled for a failed fetch, an HTML page, a cut-short feed or a big drop, and keeps the last good read", async () => {
    // Prepare
    await run(at("2026-03-09T09:00:00Z"));

    // Act
    feed = { status: 503, type: "text/plain", body: "unavailable" };
    const failed = await run(at("2026-03-09T09:05:00Z"));
    feed = { status: 200, type: "text/html", body: fixture("login-page-instead-of-feed.html") };
    const html = await run(at("2026-03-09T09:10:00Z"));
    feed = calendarAnswer("week-ahead-cut-short.ics");
    const cut = await run(at("2026-03-09T09:15:00Z"));
    feed = calendarAnswer("week-ahead-two-events-left.ics");
    const dropped = await run(at("2026-03-09T09:20:00Z"));
    feed = calendarAnswer("week-ahead.ics");
    const recovered = await run(at("2026-03-09T09:25:00Z"));

    // Assess
    expect(noticeMessages()).toEqual([]);
    expect(failed.errors).toEqual([{ feed: "team", message: expect.stringMatching(/HTTP 503/) }]);
    expect(html.errors).toEqual([{ feed: "team", message: expect.stringMatching(/HTML/) }]);
    expect(cut.errors).toEqual([{ feed: "team", message: expect.stringMatching(/ends before END:VCALENDAR/) }]);
    expect(dropped.errors).toEqual([{ feed: "team", message: expect.stringMatching(/2 events where it had 5/) }]);
    expect(recovered.errors).toEqual([]);
    expect(recovered.notices).toEqual({ sent: 0, failed: 0 });
  });

  it("posts no cancelled for an event that cannot be read for a while, nor added when it can again", async () => {
    // Prepare
    await run(at("2026-03-09T09:00:00Z"));

    // Act: the review's DTSTART is garbled in one download, then mended
    feed = calendarAnswer("week-ahead-review-unreadable.ics");
    const broken = await run(at("2026-03-09T09:05:00Z"));
    feed = calendarAnswer("week-ahead.ics");
    const mended = await run(at("2026-03-09T09:10:00Z"));

    // Assess
    expect(broken.notices).toEqual({ sent: 0, failed: 0 });
    expect(mended.notices).toEqual({ sent: 0, failed: 0 });
    expect(noticeMessages()).toEqual([]);
  });

  it("posts nothing for an event moved and moved back within quietMinutes", async () => {
    // Prepare
    const quiet = { quietMinutes: 10 };
    await run(at("2026-03-09T09:00:00Z"), quiet);

    // Act
    feed = calendarAnswer("week-ahead-review-moved-to-thursday.ics");
    await run(at("2026-03-09T09:05:00Z"), quiet);
    feed = calendarAnswer("week-ahead.ics");
    await run(at("2026-03-09T09:10:00Z"), quiet);
    await run(at("2026-03-09T09:15:00Z"), quiet);
    await run(at("2026-03-09T09:20:00Z"), quiet);

    // Assess
    expect(noticeMessages()).toEqual([]);
  });

  it("posts one notice with the net change for an event moved twice within quietMinutes", async () => {
    // Prepare
    const quiet = { quietMinutes: 10 };
    await run(at("2026-03-09T09:00:00Z"), quiet);

    // Act
    feed = calendarAnswer("week-ahead-review-moved-to-thursday.ics");
    const seen = await run(at("2026-03-09T09:05:00Z"), quiet);
    feed = calendarAnswer("week-ahead-review-moved-to-friday.ics");
    const seenAgain = await run(at("2026-03-09T09:10:00Z"), quiet);
    const settled = await run(at("2026-03-09T09:15:00Z"), quiet);
    const later = await run(at("2026-03-09T09:20:00Z"), quiet);

    // Assess: from Tuesday 14:00 straight to Friday 09:00, once the quiet period is over
    expect([seen, seenAgain, settled, later].map((r) => r.notices?.sent)).toEqual([0, 0, 1, 0]);
    expect(noticeMessages()).toEqual([
      [expect.stringMatching(/^:arrow_right: \*Design review\* moved from <!date\^1773151200\^.*> to <!date\^1773392400\^/)],
    ]);
  });

  it("posts a notice Slack refused in the next run", async () => {
    // Prepare
    await run(at("2026-03-09T09:00:00Z"));
    feed = calendarAnswer("week-ahead-review-removed.ics");
    answer = () => ({ status: 500, body: "internal_error" });

    // Act
    const refused = await run(at("2026-03-09T09:05:00Z"));
    answer = () => ({ status: 200, body: "ok" });
    slack.posts.length = 0;
    const next = await run(at("2026-03-09T09:10:00Z"));
    const after = await run(at("2026-03-09T09:15:00Z"));

    // Assess
    expect(refused.notices).toEqual({ sent: 0, failed: 1 });
    expect(refused.errors).toEqual([{ webhook: "team", message: expect.stringMatching(/^change notices: .*500/) }]);
    expect(next.notices).toEqual({ sent: 1, failed: 0 });
    expect(after.notices).toEqual({ sent: 0, failed: 0 });
    expect(noticeMessages()).toEqual([[expect.stringMatching(/Design review.*is cancelled/)]]);
  });

  it("posts a notice whose answer never came at most once: it may have been posted", async () => {
    // Prepare: the connection drops once the notice's post has reached Slack, before any answer
    await run(at("2026-03-09T09:00:00Z"));
    feed = calendarAnswer("week-ahead-review-removed.ics");
    let drop = true;
    const received: string[] = [];
    await slack.close();
    const dropping = await startLoopback((request, response, body) => {
      received.push((JSON.parse(body) as { text: string }).text);
      if (drop) request.socket.destroy();
      else response.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
    slack = { ...dropping, posts: [] };

    // Act
    const lost = await run(at("2026-03-09T09:05:00Z"));
    drop = false;
    const next = await run(at("2026-03-09T09:10:00Z"));

    // Assess
    expect(lost.notices).toEqual({ sent: 0, failed: 1 });
    expect(lost.errors).toEqual([
      { webhook: "team", message: expect.stringMatching(/^change notices: .*may have been posted, so it is not sent again/) },
    ]);
    expect(next.notices).toEqual({ sent: 0, failed: 0 });
    expect(received.filter((text) => /calendar change/i.test(text))).toHaveLength(1);
  });

  it("never reminds of a cancelled instance, and reminds of a moved one at its new time only", async () => {
    // Prepare: Monday's baseline; then Tuesday's standup moves from 09:30 to 11:30 and Thursday's is cancelled
    await run(at("2026-03-09T09:00:00Z"));
    feed = calendarAnswer("week-ahead-standup-overrides.ics");

    // Act: the runs whose windows hold the old and the new reminder times (10 minutes ahead)
    const oldTime = await run(at("2026-03-10T09:20:00Z"));
    const newTime = await run(at("2026-03-10T11:20:00Z"));
    const cancelled = await run(at("2026-03-12T09:20:00Z"));

    // Assess
    expect(oldTime.reminders.sent).toBe(0);
    expect(newTime.reminders.sent).toBe(1);
    expect(cancelled.reminders.sent).toBe(0);
    expect(reminderTitles()).toEqual([expect.stringMatching(/^Reminder: Standup — Tue, Mar 10, 11:30/)]);
    expect(noticeMessages()).toEqual([
      expect.arrayContaining([
        expect.stringMatching(/^:arrow_right: \*Standup\* moved from <!date\^1773135000\^.*> to <!date\^1773142200\^/),
        expect.stringMatching(/^:x: \*Standup\* on <!date\^1773307800\^.*> is cancelled$/),
      ]),
    ]);
  });
});

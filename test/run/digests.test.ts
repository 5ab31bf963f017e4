import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.ts";
import { SlackDeliveryError } from "../../src/errors.ts";
import { createFeedFetcher } from "../../src/feeds/fetch.ts";
import { createDynamoLedger } from "../../src/ledger/dynamodb.ts";
import { createMemoryLedger } from "../../src/ledger/memory.ts";
import { createLogger, silentLogger } from "../../src/log.ts";
import { runMetrics } from "../../src/metrics.ts";
import { type RunEdges, runReminders } from "../../src/run/run.ts";
import { createSlackPoster, type SlackPoster } from "../../src/slack/webhook.ts";
import type { Tracer } from "../../src/tracing/tracer.ts";
import { noTracer } from "../../src/tracing/tracer.ts";
import { type LocalDynamo, startDynamo } from "../support/dynalite.ts";
import { type Loopback, type SlackPost, type SlackReply, startLoopback, startSlack } from "../support/loopback.ts";
import { virtualTime } from "../support/virtual-time.ts";

const fixture = (name: string) => readFileSync(join("test/fixtures/digests", name), "utf8");
const at = (iso: string) => new Date(iso);
/** 08:30 in Berlin on Wednesday 25 March 2026; the first reminder of the day is due at 09:20. */
const DIGEST_TIME = at("2026-03-25T07:30:00Z");

describe("digests in a run (dynalite on 127.0.0.1)", () => {
  let dynamo: LocalDynamo;
  let feeds: Loopback;
  let requests: string[];
  let failing: Set<string>;
  /** Feeds answered this much later, in ms. */
  let slowness: Map<string, number>;
  let slack: Loopback & { posts: SlackPost[] };
  let answer: (post: SlackPost) => SlackReply;
  let table: string;

  beforeAll(async () => {
    dynamo = await startDynamo();
    const calendars: Record<string, string> = {
      "/platform/private-token-a.ics": fixture("platform-week-across-spring-forward.ics"),
      "/ops/private-token-b.ics": fixture("ops-shares-the-review-in-utc.ics"),
    };
    feeds = await startLoopback((request, response) => {
      const path = request.url ?? "";
      requests.push(path);
      const body = calendars[path];
      const reply = () => {
        if (body === undefined || failing.has(path)) response.writeHead(404).end("not found");
        else response.writeHead(200, { "content-type": "text/calendar" }).end(body);
      };
      setTimeout(reply, slowness.get(path) ?? 0);
    });
  });

  afterAll(async () => {
    await Promise.all([dynamo.close(), feeds.close()]);
  });

  beforeEach(async () => {
    requests = [];
    failing = new Set();
    slowness = new Map();
    answer = () => ({ status: 200, body: "ok" });
    slack = await startSlack((post) => answer(post));
    table = await dynamo.createLedgerTable();
  });

  afterEach(async () => {
    await slack.close();
  });

  const configText = (digest: Record<string, unknown> = {}, ledger = true) =>
    JSON.stringify({
      timezone: "Europe/Berlin",
      webhooks: { team: `${slack.url}/services/T0/B0/hooksecret` },
      feeds: [
        { id: "platform", name: "Platform", url: `${feeds.url}/platform/private-token-a.ics`, webhook: "team" },
        { id: "ops", name: "Ops", url: `${feeds.url}/ops/private-token-b.ics`, webhook: "team" },
      ],
      digests: [{ webhook: "team", daily: "08:30", timezone: "Europe/Berlin", ...digest }],
      ...(ledger ? { ledger: { table, catchUpMinutes: 15 } } : {}),
    });

  /** One run as the handler wires it, on the scheduled time `reference`, at wall-clock `now`. */
  async function run(
    reference: Date,
    options: { now?: Date; dryRun?: boolean; digest?: Record<string, unknown>; ledger?: boolean; tracer?: Tracer; lines?: string[] } = {},
  ) {
    const config = await parseConfig(configText(options.digest, options.ledger ?? true), "test");
    const time = virtualTime();
    const lines = options.lines;
    const edges: RunEdges = {
      fetcher: createFeedFetcher({ timeoutMs: 2_000, maxBytes: 1_000_000, attempts: 1 }),
      poster: createSlackPoster({ webhooks: config.webhooks, timeoutMs: 2_000 }),
      tracer: options.tracer ?? noTracer,
      log: lines ? createLogger("info", (text) => text, { write: (line: string) => lines.push(line) }) : silentLogger(),
      clock: () => options.now ?? reference,
      ...(options.ledger === false ? {} : { ledger: { store: createDynamoLedger({ table, client: dynamo.client }), catchUpMinutes: 15 } }),
      delivery: { now: time.now, sleep: time.sleep },
    };
    return runReminders({ config, reference, strategy: "pipelined", dryRun: options.dryRun ?? false }, edges);
  }

  const digestPosts = () => slack.posts.filter((p) => p.payload.text.startsWith("Today"));

  it("posts the day's digest from both feeds, reading each feed once though no reminder is due from it", async () => {
    // Act
    const result = await run(DIGEST_TIME);

    // Assess
    expect(result.reminders.due).toBe(0);
    expect(result.digests).toEqual({ due: 1, sent: 1, failed: 0, duplicate: 0 });
    expect(requests.sort()).toEqual(["/ops/private-token-b.ics", "/platform/private-token-a.ics"]);
    expect(digestPosts()).toHaveLength(1);
    const text = JSON.stringify(digestPosts()[0]?.payload);
    expect(text).toContain("Today · Wed, Mar 25");
    expect(text).toContain("*Architecture review &lt;!channel&gt; &amp; friends*");
    expect(text).toContain(":calendar: Platform, Ops");
    const metrics = runMetrics(result, 0);
    expect(metrics).toMatchObject({ DigestsSent: 1, DigestsFailed: 0 });
  });

  it("names the feeds of a shared event in the digest's order, whichever feed answers first", async () => {
    for (const slow of ["/platform/private-token-a.ics", "/ops/private-token-b.ics"]) {
      // Prepare: one feed answers well after the other
      slowness = new Map([[slow, 150]]);
      slack.posts.length = 0;
      table = await dynamo.createLedgerTable();

      // Act
      await run(DIGEST_TIME);

      // Assess: the review is in both feeds; Platform comes first in the configuration
      const text = JSON.stringify(digestPosts()[0]?.payload);
      expect(text, `${slow} slow`).toContain("*Architecture review &lt;!channel&gt; &amp; friends*");
      expect(text, `${slow} slow`).toContain(":calendar: Platform, Ops");
    }
  });

  it("catches up in the next run on a digest a Slack outage kept back, and posts it once", async () => {
    // Prepare: Slack is down for the 08:30 run
    answer = () => ({ status: 503, body: "service_unavailable" });

    // Act
    const outage = await run(DIGEST_TIME);
    const tried = slack.posts.length;
    answer = () => ({ status: 200, body: "ok" });
    slack.posts.length = 0;
    const next = await run(at("2026-03-25T07:35:00Z"));
    const after = await run(at("2026-03-25T07:40:00Z"));

    // Assess
    expect(tried).toBeGreaterThan(1);
    expect(outage.digests).toEqual({ due: 1, sent: 0, failed: 1, duplicate: 0 });
    expect(outage.errors).toEqual([
      { webhook: "team", message: expect.stringMatching(/^digest "daily 08:30 Europe\/Berlin" of 2026-03-25: .*HTTP 503/) },
    ]);
    expect(next.digests).toEqual({ due: 1, sent: 1, failed: 0, duplicate: 0 });
    expect(after.digests).toEqual({ due: 0, sent: 0, failed: 0, duplicate: 0 });
    expect(digestPosts()).toHaveLength(1);
  });

  it("posts nothing more for a retried run, even one running at the same time, nor for a late duplicate", async () => {
    // Act: Lambda retries the 08:30 invocation while it runs, then once more; the next run follows;
    // then the 08:30 invocation arrives again at 08:41
    const [first, second] = await Promise.all([run(DIGEST_TIME), run(DIGEST_TIME)]);
    const third = await run(DIGEST_TIME);
    const next = await run(at("2026-03-25T07:35:00Z"));
    const late = await run(DIGEST_TIME, { now: at("2026-03-25T07:41:00Z") });

    // Assess
    expect(digestPosts()).toHaveLength(1);
    expect((first.digests?.sent ?? 0) + (second.digests?.sent ?? 0)).toBe(1);
    expect((first.digests?.duplicate ?? 0) + (second.digests?.duplicate ?? 0)).toBe(1);
    expect(third.digests).toEqual({ due: 1, sent: 0, failed: 0, duplicate: 1 });
    expect(next.digests).toEqual({ due: 0, sent: 0, failed: 0, duplicate: 0 });
    expect(late.digests).toEqual({ due: 1, sent: 0, failed: 0, duplicate: 1 });
  });

  it("posts the digest with the other feeds when one cannot be read, naming it but never its URL", async () => {
    // Prepare
    failing.add("/ops/private-token-b.ics");

    // Act
    const result = await run(DIGEST_TIME);

    // Assess
    expect(result.digests?.sent).toBe(1);
    expect(result.errors).toEqual([{ feed: "ops", message: expect.stringMatching(/HTTP 404/) }]);
    const text = JSON.stringify(digestPosts()[0]?.payload);
    expect(text).toContain(":warning: Could not read *Ops*: its events are missing from this digest.");
    expect(text).toContain("*Standup*");
    expect(text).not.toContain("private-token");
    expect(text).not.toContain("127.0.0.1");
  });

  it("honours skipEmpty: an empty day posts nothing, unless skipEmpty is false", async () => {
    // Prepare: Tuesday 24 March has only a cancelled standup
    const tuesday = at("2026-03-24T07:30:00Z");

    // Act
    const skipped = await run(tuesday, { ledger: false });
    const postsWhenSkipped = digestPosts().length;
    const shown = await run(tuesday, { ledger: false, digest: { skipEmpty: false } });

    // Assess
    expect(postsWhenSkipped).toBe(0);
    expect(skipped.digests).toEqual({ due: 0, sent: 0, failed: 0, duplicate: 0 });
    expect(shown.digests).toEqual({ due: 1, sent: 1, failed: 0, duplicate: 0 });
    expect(JSON.stringify(digestPosts()[0]?.payload)).toContain("_No events today._");
  });

  it("honours days: no digest on a day it does not list", async () => {
    // Act
    const result = await run(DIGEST_TIME, { ledger: false, digest: { days: ["MO", "TU", "TH", "FR"] } });

    // Assess
    expect(result.digests).toEqual({ due: 0, sent: 0, failed: 0, duplicate: 0 });
    expect(digestPosts()).toHaveLength(0);
  });

  it("shows a dry run's digest in the log and posts nothing", async () => {
    // Prepare
    const lines: string[] = [];

    // Act
    const result = await run(DIGEST_TIME, { dryRun: true, lines });

    // Assess
    expect(slack.posts).toHaveLength(0);
    expect(result.digests).toEqual({ due: 1, sent: 0, failed: 0, duplicate: 0 });
    const logged = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((l) => l.message === "dry run: digest not posted");
    expect(logged).toEqual([
      expect.objectContaining({ webhook: "team", day: "2026-03-25", events: 2, text: "Today · Wed, Mar 25: 2 events" }),
    ]);
  });

  it("traces each digest as digest:<webhook> under the strategy's span", async () => {
    // Prepare
    const spans: { name: string; parent: string | undefined; metadata: Record<string, unknown> }[] = [];
    const current = new AsyncLocalStorage<string>();
    const tracer: Tracer = {
      async span(name, work) {
        const record = { name, parent: current.getStore(), metadata: {} as Record<string, unknown> };
        spans.push(record);
        const metadata = (key: string, value: unknown) => {
          record.metadata[key] = value;
        };
        return current.run(name, () => work({ annotate() {}, metadata, fail() {} }));
      },
    };

    // Act
    await run(DIGEST_TIME, { tracer });

    // Assess
    const digest = spans.find((s) => s.name === "digest:team");
    expect(digest).toMatchObject({
      parent: "strategy:pipelined",
      metadata: { digest: "daily 08:30 Europe/Berlin", day: "2026-03-25", events: 2, messages: 1 },
    });
  });
});

describe("a week of scheduled runs", () => {
  const calendar = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//ical-slack-reminder tests//digests//EN",
    "BEGIN:VEVENT",
    "UID:daily-review@test",
    "DTSTAMP:20260301T000000Z",
    "DTSTART;TZID=Europe/Berlin:20260301T120000",
    "DTEND;TZID=Europe/Berlin:20260301T123000",
    "RRULE:FREQ=DAILY",
    "SUMMARY:Daily review",
    "END:VEVENT",
    "END:VCALENDAR",
    "",
  ].join("\r\n");

  for (const { zone, from } of [
    { zone: "Europe/Berlin", from: "2026-03-25T00:00:00Z" },
    { zone: "America/New_York", from: "2026-10-28T00:00:00Z" },
  ]) {
    it(`posts the 08:30 digest once a day, at 08:30 in ${zone}, over a week with a DST change`, async () => {
      // Prepare: a run every 15 minutes for seven days
      const config = await parseConfig(
        JSON.stringify({
          scheduleMinutes: 15,
          webhooks: { team: "http://127.0.0.1:9/services/T/B/secret" },
          feeds: [{ id: "team", url: "http://127.0.0.1:9/team.ics", webhook: "team", leadMinutes: [0] }],
          digests: [{ webhook: "team", daily: "08:30", timezone: zone }],
        }),
        "test",
      );
      const posts: { reference: Date; text: string }[] = [];
      let reference = new Date(from);
      const edges: RunEdges = {
        fetcher: { fetchFeed: async () => ({ text: calendar, bytes: calendar.length, status: 200 }) },
        poster: {
          async post(_webhook, message) {
            if (message.text.startsWith("Today")) posts.push({ reference, text: message.text });
          },
        },
        tracer: noTracer,
        log: silentLogger(),
        clock: () => reference,
      };

      // Act
      for (let t = Date.parse(from); t < Date.parse(from) + 7 * 86_400_000; t += 15 * 60_000) {
        reference = new Date(t);
        await runReminders({ config, reference, strategy: "serial", dryRun: false }, edges);
      }

      // Assess
      expect(posts).toHaveLength(7);
      const local = (d: Date) =>
        new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(d);
      expect(posts.map((p) => local(p.reference))).toEqual(Array(7).fill("08:30"));
      expect(new Set(posts.map((p) => p.text)).size).toBe(7);
      expect(posts.every((p) => p.text.endsWith(": 1 event"))).toBe(true);
    });
  }
});

/** A calendar of VEVENTs, each given by its properties. */
function calendarOf(events: readonly (readonly string[])[]): string {
  const lines = events.flatMap((properties) => ["BEGIN:VEVENT", ...properties, "END:VEVENT"]);
  return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", ...lines, "END:VCALENDAR", ""].join("\r\n");
}

/** A configuration of one feed, "team", posting to the webhook "team"; `more` adds settings (digests, limits…). */
function oneFeedConfig(more: Record<string, unknown>, feed: Record<string, unknown> = {}) {
  return parseConfig(
    JSON.stringify({
      webhooks: { team: "http://127.0.0.1:9/services/T/B/secret" },
      feeds: [{ id: "team", url: "http://127.0.0.1:9/team.ics", webhook: "team", ...feed }],
      ...more,
    }),
    "test",
  );
}

/** The edges of a run at `reference` that reads `calendar` as its one feed and posts with `post`. */
function oneFeedEdges(calendar: string, post: SlackPoster["post"], reference: Date, more: Partial<RunEdges> = {}): RunEdges {
  return {
    fetcher: { fetchFeed: async () => ({ text: calendar, bytes: calendar.length, status: 200 }) },
    poster: { post },
    tracer: noTracer,
    log: silentLogger(),
    clock: () => reference,
    ...more,
  };
}

describe("a digest split in several messages", () => {
  it("is recorded as posted when a later message fails, so the catch-up does not post the first again", async () => {
    // Prepare: 300 meetings on Wednesday 25 March, more than one message holds; Slack refuses the second
    const calendar = calendarOf(
      Array.from({ length: 300 }, (_, i) => {
        const minute = String(i % 60).padStart(2, "0");
        const hour = String(8 + Math.floor(i / 60)).padStart(2, "0");
        return [
          `UID:meeting-${i}@test`,
          "DTSTAMP:20260301T000000Z",
          `DTSTART;TZID=Europe/Berlin:20260325T${hour}${minute}00`,
          `DTEND;TZID=Europe/Berlin:20260325T${hour}${minute}30`,
          `SUMMARY:Meeting ${i} ${"&".repeat(120)}`,
        ];
      }),
    );
    const config = await oneFeedConfig({ digests: [{ webhook: "team", daily: "08:30", timezone: "Europe/Berlin" }] });
    const posted: string[] = [];
    let digestMessages = 0;
    const store = createMemoryLedger();
    const edges = (reference: Date) =>
      oneFeedEdges(
        calendar,
        async (webhook, message) => {
          if (!message.text.startsWith("Today")) return;
          digestMessages += 1;
          if (digestMessages === 2) throw new SlackDeliveryError(webhook, `webhook "${webhook}": HTTP 400 invalid_blocks`, { status: 400 });
          posted.push(message.text);
        },
        reference,
        { ledger: { store, catchUpMinutes: 15 } },
      );

    // Act
    const first = await runReminders({ config, reference: DIGEST_TIME, strategy: "serial", dryRun: false }, edges(DIGEST_TIME));
    const next = at("2026-03-25T07:35:00Z");
    const second = await runReminders({ config, reference: next, strategy: "serial", dryRun: false }, edges(next));

    // Assess
    expect(posted).toHaveLength(1);
    expect(digestMessages).toBe(2);
    expect(first.digests).toEqual({ due: 1, sent: 0, failed: 1, duplicate: 0 });
    expect(first.errors).toEqual([
      {
        webhook: "team",
        message: expect.stringMatching(/HTTP 400 invalid_blocks \(after 1 of \d+ messages; the rest is not posted again\)$/),
      },
    ]);
    expect(second.digests).toEqual({ due: 0, sent: 0, failed: 0, duplicate: 0 });
  });
});

describe("a digest whose answer never came", () => {
  it("is not posted again by the next run's catch-up: it may have been posted", async () => {
    // Prepare: the first run's post times out; Slack may have taken it
    const calendar = calendarOf([
      [
        "UID:review@test",
        "DTSTAMP:20260301T000000Z",
        "DTSTART;TZID=Europe/Berlin:20260325T140000",
        "DTEND;TZID=Europe/Berlin:20260325T150000",
        "SUMMARY:Design review",
      ],
    ]);
    const config = await oneFeedConfig({ digests: [{ webhook: "team", daily: "08:30", timezone: "Europe/Berlin" }] });
    const store = createMemoryLedger();
    let answered = false;
    const posted: string[] = [];
    const edges = (reference: Date) =>
      oneFeedEdges(
        calendar,
        async (webhook, message) => {
          posted.push(message.text);
          if (!answered) {
            throw new SlackDeliveryError(
              webhook,
              `webhook "${webhook}": no answer within 10 s; it may have been posted, so it is not sent again`,
              {
                transient: true,
                outcomeUnknown: true,
              },
            );
          }
        },
        reference,
        { ledger: { store, catchUpMinutes: 15 } },
      );

    // Act
    const first = await runReminders({ config, reference: DIGEST_TIME, strategy: "serial", dryRun: false }, edges(DIGEST_TIME));
    answered = true;
    const next = at("2026-03-25T07:35:00Z");
    const second = await runReminders({ config, reference: next, strategy: "serial", dryRun: false }, edges(next));

    // Assess
    expect(first.digests).toEqual({ due: 1, sent: 0, failed: 1, duplicate: 0 });
    expect(first.errors).toEqual([{ webhook: "team", message: expect.stringMatching(/no answer within 10 s; it may have been posted/) }]);
    expect(second.digests).toEqual({ due: 0, sent: 0, failed: 0, duplicate: 0 });
    expect(posted).toHaveLength(1);
  });
});

/** A meeting at 08:40 Berlin on Wednesday 25 March: its ten-minute reminder is due in the 08:30 digest's run. */
const MORNING_SYNC = [
  "UID:sync@test",
  "DTSTAMP:20260301T000000Z",
  "DTSTART;TZID=Europe/Berlin:20260325T084000",
  "DTEND;TZID=Europe/Berlin:20260325T090000",
];

describe("digests and reminders to one webhook", () => {
  it("keep one pace: at most two posts in any two seconds, and a Retry-After holds them all", async () => {
    // Prepare: at 08:30 Berlin on Wednesday a daily and a weekly digest are due, and so is the
    // reminder of a meeting at 08:40; Slack answers the first post with 429 and Retry-After: 30
    const calendar = calendarOf([[...MORNING_SYNC, "SUMMARY:Morning sync"]]);
    const config = await oneFeedConfig({
      leadMinutes: [10],
      digests: [
        { webhook: "team", daily: "08:30", timezone: "Europe/Berlin" },
        { webhook: "team", weekly: "WE 08:30", timezone: "Europe/Berlin" },
      ],
    });
    const time = virtualTime();
    const posts: number[] = [];
    const edges = oneFeedEdges(
      calendar,
      async (webhook) => {
        posts.push(time.now());
        if (posts.length === 1) {
          throw new SlackDeliveryError(webhook, `webhook "${webhook}": HTTP 429 rate_limited`, {
            status: 429,
            transient: true,
            retryAfterSeconds: 30,
          });
        }
      },
      DIGEST_TIME,
      { delivery: { now: time.now, sleep: time.sleep } },
    );

    // Act
    const result = await runReminders({ config, reference: DIGEST_TIME, strategy: "pipelined", dryRun: false }, edges);

    // Assess
    expect(result.reminders.sent).toBe(1);
    expect(result.digests).toMatchObject({ sent: 2, failed: 0 });
    expect(posts).toHaveLength(4);
    const [limited = 0, ...later] = posts;
    for (const at of later) expect(at - limited).toBeGreaterThanOrEqual(30_000);
    for (let i = 2; i < posts.length; i++) expect((posts[i] as number) - (posts[i - 2] as number)).toBeGreaterThanOrEqual(2_000);
  });
});

describe("a digest whose span of a feed costs more than the feed's budget", () => {
  it("fails that digest's reading of the feed, not the feed's reminders", async () => {
    // Prepare: a runaway rule (every five minutes since March) beside a meeting due in this run
    const calendar = calendarOf([
      [
        "UID:tick@test",
        "DTSTAMP:20260301T000000Z",
        "DTSTART:20260301T000000Z",
        "DURATION:PT1M",
        "RRULE:FREQ=MINUTELY;INTERVAL=5",
        "SUMMARY:Tick",
      ],
      [...MORNING_SYNC, "SUMMARY:Real meeting"],
    ]);
    const config = await oneFeedConfig(
      { leadMinutes: [10], limits: { instancesPerFeed: 1000 }, digests: [{ webhook: "team", daily: "08:30", timezone: "Europe/Berlin" }] },
      { name: "Team", include: "Real" },
    );
    const texts: string[] = [];
    const time = virtualTime();
    const edges = oneFeedEdges(
      calendar,
      async (_webhook, message) => {
        texts.push(JSON.stringify(message));
      },
      DIGEST_TIME,
      { delivery: { now: time.now, sleep: time.sleep } },
    );

    // Act
    const result = await runReminders({ config, reference: DIGEST_TIME, strategy: "pipelined", dryRun: false }, edges);

    // Assess
    expect(result.feeds).toMatchObject({ ok: 1, failed: 0 });
    expect(result.reminders).toMatchObject({ due: 1, sent: 1 });
    expect(result.digests).toMatchObject({ sent: 1 });
    expect(texts.find((text) => text.includes("Today"))).toMatch(/Could not read \*Team\*/);
  });
});

import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configOf } from "../../../src/config/schema.ts";
import { createFeedFetcher } from "../../../src/feeds/fetch.ts";
import { createLogger } from "../../../src/log.ts";
import { runReminders } from "../../../src/run/run.ts";
import { createSlackPoster } from "../../../src/slack/webhook.ts";
import { noTracer } from "../../../src/tracing/tracer.ts";
import {
  calendarServer,
  flakyServer,
  type Hostile,
  httpsRedirectServer,
  hugeServer,
  loginPageServer,
  loopbackCertificate,
  redirectLoopServer,
  silentServer,
  statusServer,
  tricklingServer,
} from "../../support/hostile.ts";
import { reminderKey } from "../support/account.ts";
import type { FaultSuite } from "../support/suite.ts";

// The hostile calendar servers the issue starts from (sizes, timeouts, redirects, statuses): a
// run beside them delivers every healthy feed, names each bad one, and ends within its limits.

const fixture = (name: string) => readFileSync(`test/fixtures/${name}`, "utf8");

/** Log lines written by a run, parsed. */
function logSink(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { stream, lines };
}

// Short limits so the suite runs in seconds; docs/faults-and-operations.md computes the bound for the defaults.
const TIMEOUT_MS = 500;
const DEADLINE_MS = 2000;

/** The healthy feeds' reminders, as Slack shows them (feed name = id). */
const HEALTHY: [feed: string, title: string, start: string][] = [
  ["healthy", "Standup", "2026-03-12T15:00:00Z"],
  ["healthy-br", "Retro", "2026-03-12T15:02:00Z"],
  ["malformed", "Design review", "2026-03-12T15:04:00Z"],
  ["flaky", "Standup", "2026-03-12T15:00:00Z"],
  ["rate-limited", "Retro", "2026-03-12T15:02:00Z"],
];

export function hostileFeeds(suite: FaultSuite): void {
  describe("a run beside hostile calendar servers", () => {
    let servers: Record<string, Hostile> = {};
    let plainHttp: Hostile;
    let unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);

    beforeEach(async () => {
      unhandled = [];
      process.on("unhandledRejection", onUnhandled);
      plainHttp = await calendarServer(fixture("standup-at-1500z.ics"));
      servers = {
        healthy: await calendarServer(fixture("standup-at-1500z.ics"), "gzip"),
        "healthy-br": await calendarServer(fixture("retro-at-1502z.ics"), "br"),
        malformed: await calendarServer(fixture("one-event-without-dtstart.ics")),
        flaky: await flakyServer([[500], [503]], fixture("standup-at-1500z.ics")),
        "rate-limited": await flakyServer([[429, { "retry-after": "1" }]], fixture("retro-at-1502z.ics")),
        login: await loginPageServer(),
        huge: await hugeServer(30),
        silent: await silentServer(),
        trickle: await tricklingServer(TIMEOUT_MS / 5),
        loop: await redirectLoopServer(),
        downgrade: await httpsRedirectServer(`${plainHttp.url}/s3cr3t/standup.ics`),
        unauthorized: await statusServer(401),
        forbidden: await statusServer(403),
        gone: await statusServer(404),
      };
    });

    afterEach(async () => {
      process.off("unhandledRejection", onUnhandled);
      await Promise.all([plainHttp.close(), ...Object.values(servers).map((s) => s.close())]);
    });

    it.each(["pipelined", "serial"] as const)(
      "%s: delivers every healthy feed's reminders, names each bad feed with its reason, and ends within the limits",
      async (strategy) => {
        // Prepare
        const channel = `hostile/${strategy}`;
        const feeds = [
          ...Object.entries(servers).map(([id, server]) => ({ id, url: `${server.url}/s3cr3t/${id}.ics`, webhook: "team" })),
          { id: "unresolvable", url: "http://calendar.invalid/s3cr3t/team.ics", webhook: "team" },
        ];
        const config = configOf({
          webhooks: { team: suite.slack.webhook(channel) },
          feeds,
          concurrency: 32,
        });
        const waits: number[] = [];
        const fetcher = createFeedFetcher({
          timeoutMs: TIMEOUT_MS,
          deadlineMs: DEADLINE_MS,
          maxBytes: 10 * 1024 * 1024,
          attempts: 3,
          retryDelayMs: 0,
          wait: async (ms) => void waits.push(ms),
          ca: loopbackCertificate,
        });
        const logs = logSink();
        suite.account.deliverable(
          `hostile feeds, ${strategy}`,
          HEALTHY.map(([feed, title, start]) => reminderKey(channel, feed, title, start)),
        );

        // Act
        const result = await runReminders(
          { config, reference: new Date("2026-03-12T14:50:00Z"), strategy, dryRun: false },
          {
            fetcher,
            poster: createSlackPoster({ webhooks: config.webhooks, timeoutMs: 2000 }),
            tracer: noTracer,
            log: createLogger("info", undefined, logs.stream),
            clock: () => new Date("2026-03-12T14:50:00Z"),
          },
        );

        // Assess: the healthy feeds (gzip, br, retried, rate-limited, partly broken) were all delivered
        const posted = suite.slack
          .posts(channel)
          .map((post) => JSON.stringify(post.payload))
          .join("\n");
        for (const title of ["Standup", "Retro", "Design review"]) expect(posted).toContain(title);
        expect(result.feeds).toEqual({ total: 15, ok: 5, failed: 10, unchanged: 0, skipped: 0 });
        expect(result.reminders).toEqual({ due: 5, sent: 5, duplicate: 0, failed: 0, unknown: 0 });
        expect(waits).toContain(1000); // Retry-After: 1 honoured

        // Assess: each bad feed is named, once, with a reason a person can act on
        const reasons = Object.fromEntries(result.errors.map((e) => ["feed" in e ? e.feed : e.webhook, e.message]));
        expect(Object.keys(reasons).sort()).toEqual([
          "downgrade",
          "forbidden",
          "gone",
          "huge",
          "login",
          "loop",
          "silent",
          "trickle",
          "unauthorized",
          "unresolvable",
        ]);
        expect(reasons).toEqual({
          login: expect.stringMatching(/^feed "login" is an HTML\/XML page, not an iCalendar feed/),
          huge: expect.stringMatching(/larger than the 10 MB limit; raise fetch.maxBytes/),
          silent: expect.stringMatching(/^127\.0\.0\.1:\d+ sent no response within 0\.5 s/),
          trickle: expect.stringMatching(/^127\.0\.0\.1:\d+ did not deliver the calendar within 2 s/),
          loop: expect.stringMatching(/redirected more than 5 times/),
          downgrade: expect.stringMatching(/redirected from https to plain http .*refused/),
          unauthorized: expect.stringMatching(/^HTTP 401 from 127\.0\.0\.1:\d+; the feed is private/),
          forbidden: expect.stringMatching(/^HTTP 403 from 127\.0\.0\.1:\d+; the feed is private/),
          gone: expect.stringMatching(/^HTTP 404 from 127\.0\.0\.1:\d+; the calendar moved or was deleted/),
          unresolvable: expect.stringMatching(/^host calendar\.invalid does not resolve; check the feed URL/),
        });
        expect(plainHttp.requests).toHaveLength(0); // the downgrade was never followed
        expect(servers.huge?.bytesSent()).toBeLessThan(30 * 1024 * 1024); // reading stopped
        for (const id of ["unauthorized", "forbidden", "gone"]) expect(servers[id]?.requests).toHaveLength(1); // never retried
        expect(servers.flaky?.requests).toHaveLength(3); // 500, 503, then the calendar

        // Assess: bounded, nothing leaked, no promise left rejected
        expect(result.durationMs).toBeLessThan(10 * DEADLINE_MS);
        const outcomes = logs.lines.filter((l) => l.message === "feed read" || l.message === "feed failed");
        expect(outcomes.map((l) => l.feed).sort()).toEqual(feeds.map((f) => f.id).sort());
        expect(logs.lines.filter((l) => l.message === "run finished")).toHaveLength(1);
        const everything = JSON.stringify(result) + JSON.stringify(logs.lines);
        expect(everything).not.toContain("s3cr3t");
        expect(everything).not.toContain("hooksecret");
        expect(unhandled).toEqual([]);
      },
    );
  });
}

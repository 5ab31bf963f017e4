import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configOf } from "../../src/config/schema.ts";
import { createFeedFetcher } from "../../src/feeds/fetch.ts";
import { createLogger } from "../../src/log.ts";
import { runReminders } from "../../src/run/run.ts";
import { createSlackPoster } from "../../src/slack/webhook.ts";
import { noTracer } from "../../src/tracing/tracer.ts";
import { type Loopback, type SlackPost, startSlack } from "../support/loopback.ts";

// A feed whose rules cost more than it may (a flood of FREQ=SECONDLY events since 1970) fails
// alone, named with its costliest event, and while it is being expanded the event loop keeps
// turning: a healthy feed answering slowly beside it is not failed by a timer that could not run.

const REFERENCE = new Date("2026-03-12T14:50:00Z");

function secondlyFlood(events: number): string {
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//flood//EN"];
  for (let i = 0; i < events; i++) {
    lines.push("BEGIN:VEVENT", `UID:tick-${i}`, `SUMMARY:Tick ${i}`, "DTSTART:19700101T000000Z", "RRULE:FREQ=SECONDLY", "END:VEVENT");
  }
  return [...lines, "END:VCALENDAR", ""].join("\r\n");
}

const STANDUP = [
  "BEGIN:VCALENDAR",
  "VERSION:2.0",
  "PRODID:-//test//standup//EN",
  "BEGIN:VEVENT",
  "UID:standup",
  "SUMMARY:Standup",
  "DTSTART:20260312T150000Z",
  "DURATION:PT15M",
  "END:VEVENT",
  "END:VCALENDAR",
  "",
].join("\r\n");

/** Serves each path's calendar after `delayMs`. */
async function feedServer(calendars: Record<string, { ics: string; delayMs: number }>): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const feed = calendars[String(request.url).slice(1)];
    if (!feed) return void response.writeHead(404).end();
    setTimeout(() => response.writeHead(200, { "content-type": "text/calendar" }).end(feed.ics), feed.delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("a feed over its calendar budget", () => {
  let slack: Loopback & { posts: SlackPost[] };
  let feeds: Awaited<ReturnType<typeof feedServer>>;

  beforeEach(async () => {
    slack = await startSlack();
    feeds = await feedServer({
      "flood.ics": { ics: secondlyFlood(200), delayMs: 0 },
      "standup.ics": { ics: STANDUP, delayMs: 150 },
    });
  });

  afterEach(async () => {
    await Promise.all([slack.close(), feeds.close()]);
  });

  async function run(limits: Record<string, number>) {
    const config = configOf({
      webhooks: { team: `${slack.url}/services/T0/B0/hooksecret` },
      feeds: [
        { id: "flood", url: `${feeds.url}/flood.ics`, webhook: "team" },
        { id: "standup", url: `${feeds.url}/standup.ics`, webhook: "team" },
      ],
      limits,
    });
    // A short fetch timeout: a blocked event loop would fire it before the slow feed's answer is read.
    const fetcher = createFeedFetcher({ timeoutMs: 400, deadlineMs: 2_000, maxBytes: 10 * 1024 * 1024, attempts: 1, retryDelayMs: 0 });
    return runReminders(
      { config, reference: REFERENCE, strategy: "pipelined", dryRun: false },
      {
        fetcher,
        poster: createSlackPoster({ webhooks: config.webhooks, timeoutMs: 2_000 }),
        tracer: noTracer,
        log: createLogger("silent"),
        clock: () => REFERENCE,
      },
    );
  }

  it("fails alone on its work budget, naming the event that cost the most", async () => {
    // Act
    const result = await run({ instancesPerFeed: 20_000 });

    // Assess
    expect(result.feeds).toEqual({ total: 2, ok: 1, failed: 1, unchanged: 0, skipped: 0 });
    expect(result.errors).toEqual([
      {
        feed: "flood",
        message: expect.stringMatching(/^feed "flood" generates more than 20000 recurrence instances while expanding; the most, \d+, come from "Tick \d+" \(UID tick-\d+\): .*raise limits\.instancesPerFeed$/),
      },
    ]);
    expect(result.reminders).toEqual({ due: 1, sent: 1, duplicate: 0, failed: 0, unknown: 0 });
    expect(JSON.stringify(slack.posts.map((p) => p.payload))).toContain("Standup");
  });

  it("fails alone on its time budget, while a slow healthy feed beside it is read and delivered", async () => {
    // Act: no instance limit to speak of; only the time budget stops the flood
    const result = await run({ instancesPerFeed: 10_000_000, calendarSecondsPerFeed: 1 });

    // Assess
    expect(result.errors).toEqual([
      {
        feed: "flood",
        message: expect.stringMatching(/^feed "flood" took more than 1 s of processing to read and expand; the most recurrence instances, \d+, come from "Tick \d+" \(UID tick-\d+\): .*raise limits\.calendarSecondsPerFeed$/),
      },
    ]);
    expect(result.feeds).toEqual({ total: 2, ok: 1, failed: 1, unchanged: 0, skipped: 0 });
    expect(result.reminders).toEqual({ due: 1, sent: 1, duplicate: 0, failed: 0, unknown: 0 });
    expect(slack.posts).toHaveLength(1);
  });
});

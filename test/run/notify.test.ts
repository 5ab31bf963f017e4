import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.ts";
import { createFeedFetcher } from "../../src/feeds/fetch.ts";
import { silentLogger } from "../../src/log.ts";
import { runReminders } from "../../src/run/run.ts";
import { createSlackPoster, type SlackPoster } from "../../src/slack/webhook.ts";
import { noTracer } from "../../src/tracing/tracer.ts";
import { type Loopback, type SlackPost, startFeedHost, startSlack } from "../support/loopback.ts";
import { virtualTime } from "../support/virtual-time.ts";

const fixture = (name: string) => readFileSync(join("test/fixtures", name), "utf8");

describe("notifying one webhook from several feeds", () => {
  let feeds: Loopback;
  let slack: Loopback & { posts: SlackPost[] };

  beforeEach(async () => {
    feeds = await startFeedHost({ "/four.ics": fixture("four-meetings-due-in-one-window.ics") });
    slack = await startSlack();
  });

  afterEach(async () => {
    await Promise.all([feeds.close(), slack.close()]);
  });

  it.each(["pipelined", "serial"] as const)(
    "delivers 12 reminders from 3 feeds complete in at most 3 messages, never 3 posts in one second (%s)",
    async (strategy) => {
      // Prepare
      const config = await parseConfig(
        JSON.stringify({
          webhooks: { team: `${slack.url}/services/T0/B0/x` },
          feeds: ["alpha", "beta", "gamma"].map((id) => ({ id, url: `${feeds.url}/four.ics`, webhook: "team" })),
        }),
        "test",
      );
      const time = virtualTime();
      const real = createSlackPoster({ webhooks: config.webhooks, timeoutMs: 2_000 });
      const postedAt: number[] = [];
      const poster: SlackPoster = {
        post: (webhook, message, options) => {
          postedAt.push(time.now());
          return real.post(webhook, message, options);
        },
      };

      // Act
      const result = await runReminders(
        { config, reference: new Date("2026-03-12T14:50:00Z"), strategy, dryRun: false },
        {
          fetcher: createFeedFetcher({ timeoutMs: 2_000, maxBytes: 1_000_000, attempts: 1 }),
          poster,
          tracer: noTracer,
          log: silentLogger(),
          clock: () => new Date("2026-03-12T14:50:00Z"),
          delivery: { now: time.now, sleep: time.sleep },
        },
      );

      // Assess
      expect(result.reminders).toEqual({ due: 12, sent: 12, duplicate: 0, failed: 0, unknown: 0 });
      expect(slack.posts.length).toBeLessThanOrEqual(3);
      const titles = slack.posts.flatMap((p) => p.payload.blocks?.filter((b) => (b as { type: string }).type === "section") ?? []);
      expect(titles).toHaveLength(12);
      const sorted = [...postedAt].sort((a, b) => a - b);
      sorted.forEach((t, i) => {
        if (i >= 2) expect(t - (sorted[i - 2] as number)).toBeGreaterThanOrEqual(1_000);
      });
      const text = JSON.stringify(slack.posts);
      expect(text).toContain("|Join Zoom>");
      expect(text).toContain("|Join Microsoft Teams>");
      expect(text).toContain("1:1 &amp; &lt;@U1&gt;");
      expect(text).not.toContain("<@U1>");
    },
  );
});

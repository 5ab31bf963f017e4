import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.ts";
import { createFeedFetcher } from "../../src/feeds/fetch.ts";
import { createMemoryLedger } from "../../src/ledger/memory.ts";
import { silentLogger } from "../../src/log.ts";
import { runReminders } from "../../src/run/run.ts";
import { createSlackPoster } from "../../src/slack/webhook.ts";
import { noTracer } from "../../src/tracing/tracer.ts";
import { type Loopback, type SlackPost, startFeedHost, startSlack } from "../support/loopback.ts";
import { virtualTime } from "../support/virtual-time.ts";

const fixture = (name: string) => readFileSync(join("test/fixtures", name), "utf8");
const at = (iso: string) => new Date(iso);

describe("what a run's messages show", () => {
  let feeds: Loopback;
  let slack: Loopback & { posts: SlackPost[] };

  beforeEach(async () => {
    // Retro starts at 15:02 UTC, its DTSTART written in UTC.
    feeds = await startFeedHost({ "/retro.ics": fixture("retro-at-1502z.ics") });
    slack = await startSlack();
  });

  afterEach(async () => {
    await Promise.all([feeds.close(), slack.close()]);
  });

  /** One run at `reference` (also the wall clock), with an in-memory ledger. */
  async function run(config: object, reference: Date) {
    const ledger = createMemoryLedger(() => reference.getTime());
    const time = virtualTime();
    const parsed = await parseConfig(JSON.stringify({ webhooks: { team: `${slack.url}/services/T0/B0/x` }, ...config }), "test");
    const result = await runReminders(
      { config: parsed, reference, strategy: "pipelined", dryRun: false },
      {
        fetcher: createFeedFetcher({ timeoutMs: 2_000, maxBytes: 1_000_000, attempts: 1 }),
        poster: createSlackPoster({ webhooks: parsed.webhooks, timeoutMs: 2_000 }),
        tracer: noTracer,
        log: silentLogger(),
        clock: () => reference,
        ledger: { store: ledger, catchUpMinutes: 15 },
        delivery: { now: time.now, sleep: time.sleep },
      },
    );
    return { result, ledger };
  }

  const sections = () => slack.posts.flatMap((p) => p.payload.blocks?.filter((b) => (b as { type: string }).type === "section") ?? []);

  it.each([
    ["the top-level timezone", { timezone: "Europe/Berlin" }, {}, "Thu, Mar 12, 16:02 GMT+1"],
    [
      "the feed's own timezone over the top-level one",
      { timezone: "Europe/Berlin" },
      { timezone: "Asia/Tokyo" },
      "Fri, Mar 13, 00:02 GMT+9",
    ],
  ])("writes the start of a UTC event in %s", async (_, top, feed, shown) => {
    // Act
    await run({ ...top, feeds: [{ id: "retros", url: `${feeds.url}/retro.ics`, webhook: "team", ...feed }] }, at("2026-03-12T14:50:00Z"));

    // Assess: the fallback in the feed's zone; the date token for each reader's own
    expect(slack.posts.map((p) => p.payload.text)).toEqual([`Reminder: Retro — ${shown}, in 12 minutes`]);
    expect(JSON.stringify(sections())).toContain(
      `<!date^${at("2026-03-12T15:02:00Z").getTime() / 1000}^{date_short_pretty} at {time}|${shown}>`,
    );
  });

  it.each([
    ["two lead times due in one run", [12, 10], "2026-03-12T14:50:00Z"],
    ["a catch-up beside a current reminder", [12, 5], "2026-03-12T14:55:00Z"],
  ])("shows an event once for %s, and counts both reminders sent", async (_, leadMinutes, reference) => {
    // Act
    const { result, ledger } = await run(
      { feeds: [{ id: "retros", url: `${feeds.url}/retro.ics`, webhook: "team", leadMinutes }] },
      at(reference),
    );

    // Assess
    expect(slack.posts).toHaveLength(1);
    expect(sections()).toHaveLength(1);
    expect(slack.posts[0]?.payload.text).toMatch(/^Reminder: Retro — /);
    expect(result.reminders).toEqual({ due: 2, sent: 2, duplicate: 0, failed: 0, unknown: 0 });
    expect([...ledger.entries].map(([id, { status }]) => [id, status]).sort()).toEqual(
      leadMinutes.map((lead) => [`retros#retro@feeds.test#2026-03-12T15:02:00.000Z#${lead}m`, "done"]).sort(),
    );
  });
});

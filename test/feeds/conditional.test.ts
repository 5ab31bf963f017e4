import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AWS_ON_FIRST_USE } from "../../src/aws-on-first-use.ts";
import { parseSteps } from "../../src/calendar/expand.ts";
import { readSettings } from "../../src/config/settings.ts";
import { createFeedFetcher, FeedCache } from "../../src/feeds/fetch.ts";
import { createHandler } from "../../src/handler.ts";
import { conditionalServer, type Hostile } from "../support/hostile.ts";
import { type Loopback, type SlackPost, startSlack } from "../support/loopback.ts";

// Count how often calendars are parsed, without changing what parsing does.
vi.mock("../../src/calendar/expand.ts", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/calendar/expand.ts")>();
  return { ...original, parseSteps: vi.fn(original.parseSteps) };
});

const fixture = (name: string) => readFileSync(join("test/fixtures", name), "utf8");
const scheduled = JSON.parse(readFileSync("events/scheduled.json", "utf8")) as unknown;

describe("conditional GET across warm invocations", () => {
  let standup: Hostile & { change(next: string): void };
  let retro: Hostile & { change(next: string): void };
  let slack: Loopback & { posts: SlackPost[] };
  let dir: string;

  beforeEach(async () => {
    standup = await conditionalServer(fixture("standup-at-1500z.ics"));
    retro = await conditionalServer(fixture("retro-at-1502z.ics"));
    slack = await startSlack();
    dir = await mkdtemp(join(tmpdir(), "conditional-test-"));
    vi.mocked(parseSteps).mockClear();
  });

  afterEach(async () => {
    await Promise.all([standup.close(), retro.close(), slack.close(), rm(dir, { recursive: true, force: true })]);
  });

  /** The handler module loaded once: later calls are warm invocations of one container. */
  async function warmHandler() {
    const file = join(dir, "config.json");
    await writeFile(
      file,
      JSON.stringify({
        webhooks: { team: `${slack.url}/services/T0/B0/hooksecret` },
        feeds: [
          { id: "standup", url: `${standup.url}/s3cr3t/standup.ics`, webhook: "team" },
          { id: "retro", url: `${retro.url}/s3cr3t/retro.ics`, webhook: "team" },
        ],
      }),
    );
    vi.stubEnv("CONFIG_FILE", file);
    vi.stubEnv("LOG_LEVEL", "silent");
    return createHandler(readSettings(process.env), AWS_ON_FIRST_USE);
  }

  it("asks whether each feed changed, and on 304 neither downloads nor parses it again", async () => {
    // Prepare
    const handler = await warmHandler();
    const cold = await handler(scheduled);
    expect(parseSteps).toHaveBeenCalledTimes(2);
    vi.mocked(parseSteps).mockClear();

    // Act
    const warm = await handler(scheduled);

    // Assess: both answered 304 to a conditional request, nothing was parsed, reminders still due
    expect(cold.feeds).toEqual({ total: 2, ok: 2, failed: 0, unchanged: 0, skipped: 0 });
    expect(warm.feeds).toEqual({ total: 2, ok: 2, failed: 0, unchanged: 2, skipped: 0 });
    expect(warm.reminders).toEqual(cold.reminders);
    expect(warm.reminders.due).toBe(2);
    expect(parseSteps).not.toHaveBeenCalled();
    expect(standup.requests[1]?.headers).toMatchObject({
      "if-none-match": '"v1"',
      "if-modified-since": "Thu, 12 Mar 2026 08:00:00 GMT",
    });
  });

  it("downloads and parses again only the feed that changed", async () => {
    // Prepare
    const handler = await warmHandler();
    await handler(scheduled);
    vi.mocked(parseSteps).mockClear();
    retro.change(fixture("retro-at-1502z.ics").replace("SUMMARY:Retro", "SUMMARY:Retro (moved room)"));

    // Act
    const warm = await handler(scheduled);

    // Assess
    expect(warm.feeds.unchanged).toBe(1);
    expect(parseSteps).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(slack.posts.at(-1)?.payload)).toContain("Retro (moved room)");
  });

  it("does not remember a feed whose calendar could not be read", async () => {
    // Prepare: a server with validators that serves a login page
    const cache = new FeedCache();
    const fetcher = createFeedFetcher({ timeoutMs: 1000, maxBytes: 1024 * 1024, attempts: 1, cache });

    // Act: the stage calls keep() only after a successful parse; here it never does
    const body = await fetcher.fetchFeed({ id: "standup", url: `${standup.url}/s3cr3t/standup.ics` });
    const again = await fetcher.fetchFeed({ id: "standup", url: `${standup.url}/s3cr3t/standup.ics` });

    // Assess: without a kept calendar the second request is not conditional and downloads in full
    expect(body.unchanged).toBeFalsy();
    expect(again.unchanged).toBeFalsy();
    expect(cache.size).toBe(0);
    expect(standup.requests[1]?.headers["if-none-match"]).toBeUndefined();
  });
});

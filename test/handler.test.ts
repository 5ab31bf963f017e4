import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AWS_ON_FIRST_USE } from "../src/aws-on-first-use.ts";
import { readSettings } from "../src/config/settings.ts";
import { createHandler } from "../src/handler.ts";
import { type Loopback, type SlackPost, startFeedHost, startSlack } from "./support/loopback.ts";

const fixture = (name: string) => readFileSync(join("test/fixtures", name), "utf8");
const event = (name: string) => JSON.parse(readFileSync(join("events", name), "utf8")) as Record<string, unknown>;
/**
 * A sample event at the moment team-week.ics is written around. The manual samples leave `now` out,
 * so that run by hand they show the present; the scheduled one carries EventBridge's `time`.
 */
const at = (name: string) => {
  const sample = event(name);
  return "time" in sample ? sample : { now: "2026-03-12T14:50:00Z", ...sample };
};

describe("handler", () => {
  let feeds: Loopback;
  let slack: Loopback & { posts: SlackPost[] };
  let dir: string;

  beforeEach(async () => {
    feeds = await startFeedHost({ "/private/s3cr3t/team.ics": fixture("team-week.ics") });
    slack = await startSlack();
    dir = await mkdtemp(join(tmpdir(), "handler-test-"));
  });

  afterEach(async () => {
    await Promise.all([feeds.close(), slack.close(), rm(dir, { recursive: true, force: true })]);
  });

  async function loadHandler(config: unknown) {
    const file = join(dir, "config.json");
    await writeFile(file, JSON.stringify(config));
    vi.stubEnv("CONFIG_FILE", file);
    vi.stubEnv("LOG_LEVEL", "silent");
    return createHandler(readSettings(process.env), AWS_ON_FIRST_USE);
  }

  const config = () => ({
    webhooks: { team: `${slack.url}/services/T0/B0/hooksecret`, ops: `${slack.url}/services/T0/B1/other` },
    feeds: [
      { id: "team", url: `${feeds.url}/private/s3cr3t/team.ics`, webhook: "team" },
      { id: "gone", url: `${feeds.url}/private/s3cr3t/missing.ics`, webhook: "ops" },
    ],
  });

  it.each(["scheduled.json", "manual-serial.json", "manual-pipelined.json"])(
    "posts exactly the due reminders once each for events/%s and returns the result",
    async (name) => {
      // Prepare
      const handler = await loadHandler(config());

      // Act
      const result = await handler(at(name));

      // Assess: 15:00Z sync (lead 10) and 15:54 Berlin standup are due in [14:50, 14:55)
      expect(slack.posts).toHaveLength(1);
      expect(slack.posts[0]?.path).toBe("/services/T0/B0/hooksecret");
      const text = JSON.stringify(slack.posts[0]?.payload);
      expect(text).toContain("Platform sync");
      expect(text).toContain("Standup &lt;!channel&gt;");
      expect(text).not.toContain("Cancelled meeting");
      expect(text).not.toContain("Due in the next run");
      expect(result).toEqual({
        strategy: name === "manual-serial.json" ? "serial" : "pipelined",
        reference: "2026-03-12T14:50:00Z",
        feeds: { total: 2, ok: 1, failed: 1, unchanged: 0, skipped: 0 },
        reminders: { due: 2, sent: 2, duplicate: 0, failed: 0, unknown: 0 },
        durationMs: expect.any(Number),
        errors: [{ feed: "gone", message: expect.stringMatching(/HTTP 404 from 127\.0\.0\.1:\d+/) }],
      });
      expect(JSON.stringify(result)).not.toContain("s3cr3t");
    },
  );

  it("posts nothing on a dry run, yet counts what is due", async () => {
    const handler = await loadHandler(config());
    const result = await handler(at("dry-run.json"));
    expect(slack.posts).toHaveLength(0);
    expect(result).toMatchObject({ dryRun: true, reminders: { due: 2, sent: 0 } });
  });

  it("names the webhook that Slack refused and still delivers to the others", async () => {
    // Prepare: the team webhook was revoked; ops receives the standup
    await slack.close();
    slack = await startSlack((post) => (post.path.includes("B0") ? { status: 404, body: "no_service" } : { status: 200, body: "ok" }));
    const handler = await loadHandler({
      ...config(),
      feeds: [
        { id: "team", url: `${feeds.url}/private/s3cr3t/team.ics`, webhook: "team", include: "sync" },
        { id: "team-standup", url: `${feeds.url}/private/s3cr3t/team.ics`, webhook: "ops", include: "standup" },
      ],
    });

    // Act
    const result = await handler(event("scheduled.json"));

    // Assess
    expect(result.reminders).toEqual({ due: 2, sent: 1, duplicate: 0, failed: 1, unknown: 0 });
    expect(result.errors).toEqual([{ webhook: "team", message: expect.stringMatching(/no_service/) }]);
    expect(JSON.stringify(result)).not.toContain("hooksecret");
  });

  it("starts no feed and returns at once when the function's time is nearly up", async () => {
    // Prepare: 5 s left, less than one download and one post need
    const handler = await loadHandler(config());

    // Act
    const result = await handler(event("scheduled.json"), { getRemainingTimeInMillis: () => 5_000 });

    // Assess
    expect(slack.posts).toHaveLength(0);
    expect(result.feeds).toEqual({ total: 2, ok: 0, failed: 0, unchanged: 0, skipped: 2 });
    expect(result.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^not attempted: /),
      expect.stringMatching(/^not attempted: /),
    ]);
  });

  it("fails fast on an invalid configuration, naming the field", async () => {
    const handler = await loadHandler({ ...config(), concurrency: 0 });
    await expect(handler(event("scheduled.json"))).rejects.toThrow(/^concurrency: /);
  });
});

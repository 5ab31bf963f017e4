import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.ts";
import { feedsOf } from "../../src/config/schema.ts";
import { ConfigError } from "../../src/errors.ts";

const valid = {
  webhooks: { team: "https://hooks.slack.com/services/T0/B0/secret" },
  feeds: [{ id: "platform", url: "https://calendar.example.com/private/token/basic.ics", webhook: "team" }],
};

async function rejection(config: unknown): Promise<ConfigError> {
  const error = await parseConfig(JSON.stringify(config), "config.json").catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe("parseConfig", () => {
  it("fills in the documented defaults", async () => {
    // Act
    const config = await parseConfig(JSON.stringify(valid), "config.json");

    // Assess
    expect(config).toMatchObject({
      scheduleMinutes: 5,
      leadMinutes: [10],
      timezone: "UTC",
      strategy: "pipelined",
      concurrency: 16,
      allDay: { remind: true, at: "09:00" },
    });
  });

  it("lets per-feed values override the top-level ones", async () => {
    const config = await parseConfig(
      JSON.stringify({
        ...valid,
        timezone: "Europe/Berlin",
        feeds: [{ ...valid.feeds[0], leadMinutes: [10, 1], timezone: "Asia/Tokyo", include: "standup" }],
      }),
      "config.json",
    );
    const [feed] = feedsOf(config);
    expect(feed).toMatchObject({ leadMinutes: [10, 1], timezone: "Asia/Tokyo", name: "platform" });
    expect(feed?.include?.test("Daily STANDUP")).toBe(true);
  });

  it.each([
    ["an undefined webhook", { ...valid, feeds: [{ ...valid.feeds[0], webhook: "ops" }] }, "feeds[0].webhook", /not defined in "webhooks"/],
    ["a duplicate feed id", { ...valid, feeds: [valid.feeds[0], valid.feeds[0]] }, "feeds[1].id", /already the id of feeds\[0\]/],
    ["an invalid regex", { ...valid, feeds: [{ ...valid.feeds[0], include: "([" }] }, "feeds[0].include", /regular expression/],
    ["an unknown time zone", { ...valid, timezone: "Mars/Olympus" }, "timezone", /IANA time zone/],
    ["a negative lead", { ...valid, leadMinutes: [-5] }, "leadMinutes[0]", /0 or more/],
    ["a non-http URL", { ...valid, feeds: [{ ...valid.feeds[0], url: "file:///etc/passwd" }] }, "feeds[0].url", /http\(s\) URL/],
    ["a zero schedule", { ...valid, scheduleMinutes: 0 }, "scheduleMinutes", /at least 1/],
    ["an unknown field", { ...valid, feed: [] }, "", /Unrecognized key/i],
    ["a bad all-day time", { ...valid, allDay: { at: "9am" } }, "allDay.at", /HH:MM/],
  ])("rejects %s, naming the field", async (_, config, path, message) => {
    // Act
    const error = await rejection(config);

    // Assess
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
    if (path) expect(error.message.startsWith(`${path}: `)).toBe(true);
  });

  it("rejects text that is not JSON, naming where it came from", async () => {
    const error = await parseConfig("{ nope", "settings.json").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/settings\.json is not valid JSON/);
  });

  it("never repeats a URL in its messages", async () => {
    const error = await rejection({ ...valid, feeds: [{ ...valid.feeds[0], webhook: "ops" }] });
    expect(error.message).not.toContain("token");
    expect(error.message).not.toContain("secret");
  });
});

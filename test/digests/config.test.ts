import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.ts";
import { digestsOf } from "../../src/digests/digest.ts";
import { ConfigError } from "../../src/errors.ts";

const base = {
  timezone: "Europe/Berlin",
  webhooks: { team: "https://hooks.slack.com/services/T0/B0/secret", ops: "https://hooks.slack.com/services/T0/B1/secret" },
  feeds: [
    { id: "platform", url: "https://calendar.example.com/p.ics", webhook: "team" },
    { id: "ops", url: "https://calendar.example.com/o.ics", webhook: "team" },
    { id: "oncall", url: "https://calendar.example.com/c.ics", webhook: "ops" },
  ],
};

async function rejection(digests: unknown): Promise<ConfigError> {
  const error = await parseConfig(JSON.stringify({ ...base, digests }), "config.json").catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe("digest configuration", () => {
  it("fills in the documented defaults: the webhook's feeds, the top-level zone, every day, skipEmpty", async () => {
    // Prepare
    const text = JSON.stringify({
      ...base,
      digests: [
        { webhook: "team", daily: "08:30" },
        { webhook: "ops", weekly: "MO 08:00", title: "On call" },
      ],
    });

    // Act
    const config = await parseConfig(text, "config.json");
    const [daily, weekly] = digestsOf(config, config.feeds);

    // Assess
    expect(daily).toMatchObject({ kind: "daily", hour: 8, minute: 30, timezone: "Europe/Berlin", skipEmpty: true, title: "Today" });
    expect(daily?.feeds.map((f) => f.id)).toEqual(["platform", "ops"]);
    expect([...(daily?.days ?? [])]).toEqual(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]);
    expect(weekly).toMatchObject({ kind: "weekly", hour: 8, minute: 0, title: "On call" });
    expect(weekly?.feeds.map((f) => f.id)).toEqual(["oncall"]);
    expect([...(weekly?.days ?? [])]).toEqual(["MO"]);
  });

  it.each([
    ["neither daily nor weekly", [{ webhook: "team" }], "digests[0]", /exactly one of "daily".*or "weekly"/],
    ["both daily and weekly", [{ webhook: "team", daily: "08:30", weekly: "MO 08:00" }], "digests[0]", /exactly one/],
    ["a time that is not HH:MM", [{ webhook: "team", daily: "8:30" }], "digests[0].daily", /HH:MM/],
    ["a weekly without a weekday", [{ webhook: "team", weekly: "08:00" }], "digests[0].weekly", /weekday and local time/],
    ["an unknown weekday code", [{ webhook: "team", daily: "08:30", days: ["MON"] }], "digests[0].days[0]", /MO, TU/],
    ["days on a weekly digest", [{ webhook: "team", weekly: "MO 08:00", days: ["MO"] }], "digests[0].days", /daily.*only/],
    ["an undefined webhook", [{ webhook: "sales", daily: "08:30" }], "digests[0].webhook", /"sales", which is not defined.*team, ops/],
    [
      "an unknown feed",
      [{ webhook: "team", daily: "08:30", feeds: ["platfrom"] }],
      "digests[0].feeds[0]",
      /"platfrom".*platform, ops, oncall/,
    ],
    ["an unknown zone", [{ webhook: "team", daily: "08:30", timezone: "Berlin" }], "digests[0].timezone", /IANA/],
    [
      "the same digest twice",
      [
        { webhook: "team", daily: "08:30" },
        { webhook: "team", daily: "08:30" },
      ],
      "digests[1]",
      /same digest as digests\[0\]/,
    ],
  ])("rejects %s, naming the field", async (_, digests, path, message) => {
    // Act
    const error = await rejection(digests);

    // Assess
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
  });

  it("suggests the setting a misspelt key means", async () => {
    // Act
    const error = await rejection([{ webhook: "team", daily: "08:30", skipEmtpy: false }]);

    // Assess
    expect(error.path).toBe("digests[0].skipEmtpy");
    expect(error.message).toMatch(/did you mean "skipEmpty"/);
  });
});

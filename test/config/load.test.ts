import { describe, expect, it, vi } from "vitest";
import { parseConfig } from "../../src/config/load.ts";
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
    const [feed] = config.feeds;
    expect(feed).toMatchObject({ leadMinutes: [10, 1], timezone: "Asia/Tokyo", name: "platform" });
    expect(feed?.include?.test("Daily STANDUP")).toBe(true);
  });

  it("matches a catastrophic-backtracking pattern against a hostile title in linear time", async () => {
    // Prepare: `(a+)+$` on 41 characters blocks a backtracking engine for minutes
    const config = await parseConfig(JSON.stringify({ ...valid, feeds: [{ ...valid.feeds[0], include: "(a+)+$" }] }), "config.json");
    const [feed] = config.feeds;

    // Act
    const hostile = feed?.include?.test(`${"a".repeat(40)}!`);
    const huge = feed?.include?.test(`${"a".repeat(5_000_000)}!`);

    // Assess: it returned at all; and a title is matched on its first 1,000 characters only
    expect(hostile).toBe(false);
    expect(huge).toBe(true);
  });

  it.each([
    ["an undefined webhook", { ...valid, feeds: [{ ...valid.feeds[0], webhook: "ops" }] }, "feeds[0].webhook", /not defined in "webhooks"/],
    ["a duplicate feed id", { ...valid, feeds: [valid.feeds[0], valid.feeds[0]] }, "feeds[1].id", /already the id of feeds\[0\]/],
    ["an invalid regex", { ...valid, feeds: [{ ...valid.feeds[0], include: "([" }] }, "feeds[0].include", /regular expression/],
    ["an unknown time zone", { ...valid, timezone: "Mars/Olympus" }, "timezone", /IANA time zone/],
    ["a negative lead", { ...valid, leadMinutes: [-5] }, "leadMinutes[0]", /0 or more/],
    ["a non-http URL", { ...valid, feeds: [{ ...valid.feeds[0], url: "file:///etc/passwd" }] }, "feeds[0].url", /http\(s\) URL/],
    ["a zero schedule", { ...valid, scheduleMinutes: 0 }, "scheduleMinutes", /at least 1/],
    ["an unknown field", { ...valid, feed: [] }, "feed", /not a known setting/],
    ["an unknown feed field", { ...valid, feeds: [{ ...valid.feeds[0], webhok: "team" }] }, "feeds[0].webhok", /not a known setting/],
    ["a lead time beyond a week", { ...valid, leadMinutes: [20_000] }, "leadMinutes[0]", /at most 10080/],
    [
      "a fractional feed lead time",
      { ...valid, feeds: [{ ...valid.feeds[0], leadMinutes: [10, 1.5] }] },
      "feeds[0].leadMinutes[1]",
      /whole minutes/,
    ],
    ["a repeated lead time", { ...valid, leadMinutes: [10, 10] }, "leadMinutes", /same lead time twice/],
    ["an unknown feed time zone", { ...valid, feeds: [{ ...valid.feeds[0], timezone: "Berlin" }] }, "feeds[0].timezone", /IANA time zone/],
    [
      "an invalid exclude pattern",
      { ...valid, feeds: [{ ...valid.feeds[0], exclude: "*cancel" }] },
      "feeds[0].exclude",
      /regular expression/,
    ],
    [
      "a webcal:// feed",
      { ...valid, feeds: [{ ...valid.feeds[0], url: "webcal://p01-caldav.icloud.com/published/2/abc" }] },
      "feeds[0].url",
      /write the webcal:\/\/ link with https:\/\//,
    ],
    [
      "a webhook name with a space",
      { ...valid, webhooks: { "team channel": valid.webhooks.team } },
      "webhooks.team channel",
      /is not a valid name: it must be 1-64 letters/,
    ],
    ["a webhook that is not a URL", { ...valid, webhooks: { team: "hooks.slack.com/services/T0/B0/x" } }, "webhooks.team", /http\(s\) URL/],
    ["a schedule above a day", { ...valid, scheduleMinutes: 2000 }, "scheduleMinutes", /at most 1440/],
    ["an unknown strategy", { ...valid, strategy: "fastest" }, "strategy", /serial|pipelined/],
    ["a catch-up beyond a day", { ...valid, ledger: { table: "t-ledger", catchUpMinutes: 5000 } }, "ledger.catchUpMinutes", /1440/],
    ["a bad all-day time", { ...valid, allDay: { at: "9am" } }, "allDay.at", /HH:MM/],
    [
      "a lookbehind, which linear-time matching cannot take",
      { ...valid, feeds: [{ ...valid.feeds[0], exclude: "(?<!team )sync" }] },
      "feeds[0].exclude",
      /not a regular expression this engine takes .*linear time/,
    ],
    [
      "a backreference",
      { ...valid, feeds: [{ ...valid.feeds[0], include: "(a)\\1" }] },
      "feeds[0].include",
      /lookahead, lookbehind and backreferences are not supported/,
    ],
    ["a reminder limit of 0", { ...valid, limits: { remindersPerFeed: 0 } }, "limits.remindersPerFeed", /between 1 and 10000/],
  ])("rejects %s, naming the field", async (_, config, path, message) => {
    // Act
    const error = await rejection(config);

    // Assess
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
    if (path) expect(error.message.startsWith(`${path}: `)).toBe(true);
  });

  it.each([
    [
      "a feed without a webhook",
      { ...valid, feeds: [{ id: "platform", url: valid.feeds[0]?.url }] },
      'feeds[0].webhook: is required: the name of a webhook defined in "webhooks"',
    ],
    [
      "no webhooks at all",
      { feeds: valid.feeds },
      'webhooks: is required: an object naming each Slack webhook, e.g. { "team": "ssm:/ical-slack-reminder/webhooks/team" }',
    ],
    ["a lead time that is not a list", { ...valid, leadMinutes: 10 }, "leadMinutes: must be a list of minutes, e.g. [10]"],
    ["a concurrency of zero", { ...valid, concurrency: 0 }, "concurrency: must be between 1 and 256"],
    ["a concurrency above the limit", { ...valid, concurrency: 1000 }, "concurrency: must be between 1 and 256"],
    ["a concurrency written as text", { ...valid, concurrency: "16" }, "concurrency: must be a whole number from 1 to 256"],
    ["an unknown strategy", { ...valid, strategy: "fastest" }, 'strategy: must be "serial" or "pipelined"'],
    [
      "a feed that is not an object",
      { ...valid, feeds: ["platform"] },
      'feeds[0]: must be an object such as { "id": "platform", "url": "ssm:/…", "webhook": "team" }',
    ],
    ["an all-day flag written as text", { ...valid, allDay: { remind: "yes" } }, "allDay.remind: must be true or false"],
    ["too many fetch attempts", { ...valid, fetch: { attempts: 9 } }, "fetch.attempts: must be between 1 and 5"],
    ["a ledger without a table", { ...valid, ledger: {} }, "ledger.table: is required: the name of the DynamoDB ledger table"],
  ])("says what is expected and how to fix %s, in the product's words", async (_, config, expected) => {
    // Act
    const error = await rejection(config);

    // Assess
    expect(error.message).toBe(`${expected} (in config.json)`);
    expect(error.message).not.toMatch(/Invalid input|received|expected/);
  });

  it("reports an undefined webhook together with the other problems", async () => {
    // Prepare: the cross-field check used to wait until every other field was valid
    const config = { ...valid, concurrency: 0, feeds: [{ ...valid.feeds[0], webhook: "ops", timezone: "Berlin" }] };

    // Act
    const error = await rejection(config);

    // Assess
    expect(error.path).toBe("concurrency");
    expect(error.message).toMatch(/; also .*feeds\[0\]\.timezone: .*feeds\[0\]\.webhook: names webhook "ops", which is not defined/);
  });

  it("names the first 20 of thousands of mistakes and counts the rest", async () => {
    // Prepare: a generated configuration with the same two mistakes in each of 5,000 feeds
    const config = {
      ...valid,
      feeds: Array.from({ length: 5_000 }, (_, i) => ({ ...valid.feeds[0], id: `f${i}`, url: "nope", webhook: "ops" })),
    };

    // Act
    const error = await rejection(config);

    // Assess
    expect(error.path).toBe("feeds[0].url");
    expect(error.message.split("; ")).toHaveLength(21);
    expect(error.message).toMatch(/; …and 9980 more mistakes$/);
    expect(error.message.length).toBeLessThan(3_000);
  });

  it("reports a duplicate feed id even when one of the feeds is incomplete", async () => {
    // Prepare
    const config = { ...valid, feeds: [valid.feeds[0], { id: "platform", webhook: "team" }] };

    // Act
    const error = await rejection(config);

    // Assess
    expect(error.message).toMatch(/^feeds\[1\]\.url: is required: /);
    expect(error.message).toMatch(/feeds\[1\]\.id: "platform" is already the id of feeds\[0\]/);
  });

  it.each([
    ["a top-level setting", { ...valid, leadMinute: [5] }, "leadMinute", "leadMinutes"],
    ["a feed setting", { ...valid, feeds: [{ ...valid.feeds[0], webhok: "team" }] }, "feeds[0].webhok", "webhook"],
    [
      "a feed setting in the wrong case",
      { ...valid, feeds: [{ ...valid.feeds[0], allday: { remind: false } }] },
      "feeds[0].allday",
      "allDay",
    ],
    ["a nested setting", { ...valid, fetch: { attempt: 2 } }, "fetch.attempt", "attempts"],
    ["a swapped pair of letters", { ...valid, timezoen: "UTC" }, "timezoen", "timezone"],
  ])("suggests the setting a misspelt key of %s most likely means", async (_, config, path, known) => {
    // Act
    const error = await rejection(config);

    // Assess
    expect(error.path).toBe(path);
    expect(error.message).toMatch(new RegExp(`^${path.replace(/[.[\]]/g, "\\$&")}: is not a known setting; did you mean "${known}"\\?`));
  });

  it("suggests nothing for an unknown key that is not close to a setting of its own object", async () => {
    // Prepare: "scheduleMinutes" is a setting, but not of a feed
    const config = { ...valid, feeds: [{ ...valid.feeds[0], scheduleMinutes: 5 }], colour: "blue" };

    // Act
    const error = await rejection(config);

    // Assess
    expect(error.message).not.toMatch(/did you mean/);
    expect(error.message).toMatch(/feeds\[0\]\.scheduleMinutes: is not a known setting; remove it or check its spelling/);
    expect(error.message).toMatch(/colour: is not a known setting; remove it or check its spelling/);
  });

  it("never repeats a URL written where a name belongs", async () => {
    // Prepare: a webhook URL pasted as the feed's webhook name, twice as a feed id, and as a webhook name
    const secret = "https://hooks.slack.com/services/T0/B0/pastedsecret";
    const config = {
      webhooks: { team: valid.webhooks.team, [secret]: valid.webhooks.team },
      feeds: [
        { id: secret, url: valid.feeds[0]?.url, webhook: secret },
        { id: secret, url: valid.feeds[0]?.url, webhook: "ops" },
      ],
    };

    // Act
    const error = await rejection(config);

    // Assess
    expect(error.message).toMatch(/feeds\[0\]\.webhook: is a URL: name a webhook of "webhooks" here/);
    expect(error.message).toMatch(/not defined in "webhooks" \(defined: team\)/);
    expect(error.message).not.toContain("pastedsecret");
    expect(error.path).toBe("webhooks.<a URL>");
  });

  it("never repeats a URL without its scheme written as a key", async () => {
    // Prepare: webhook and feed URLs pasted as keys, without https://
    const config = {
      ...valid,
      webhooks: { ...valid.webhooks, "hooks.slack.com/services/T1/B1/TOPSECRETKEY123": valid.webhooks.team },
      feeds: [{ ...valid.feeds[0], "cal.example.com/private-FEEDKEYSECRET/basic.ics": 1 }],
    };

    // Act
    const error = await rejection(config);

    // Assess
    expect(error.message).not.toMatch(/TOPSECRETKEY123|FEEDKEYSECRET/);
    expect(error.message).toContain("<a URL>");
  });

  it("rejects text that is not JSON, naming where it came from", async () => {
    const error = await parseConfig("{ nope", "settings.json").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/settings\.json is not valid JSON/);
  });

  it("names the fourth feed as feeds[3] when it uses an undefined webhook", async () => {
    // Prepare
    const feeds = ["a", "b", "c", "d"].map((id) => ({ ...valid.feeds[0], id, webhook: id === "d" ? "ops" : "team" }));

    // Act
    const error = await rejection({ ...valid, feeds });

    // Assess
    expect(error.message).toMatch(/^feeds\[3\]\.webhook: names webhook "ops", which is not defined in "webhooks" \(defined: team\)/);
  });

  it("lists every problem, not only the first", async () => {
    const error = await rejection({ ...valid, timezone: "Mars/Olympus", leadMinutes: [-1] });
    expect(error.message).toMatch(/^leadMinutes\[0\]: .*; also timezone: /);
  });

  it("rejects an ssm: reference that is not a parameter name before asking SSM", async () => {
    // Prepare
    const resolve = vi.fn(async () => new Map<string, string>());

    // Act
    const error = await parseConfig(
      JSON.stringify({ ...valid, webhooks: { team: "ssm:/reminder/web hooks/team" } }),
      "config.json",
      resolve,
    ).catch((e: unknown) => e);

    // Assess
    expect((error as ConfigError).path).toBe("webhooks.team");
    expect((error as Error).message).toMatch(/not a valid SSM reference/);
    expect(resolve).not.toHaveBeenCalled();
  });

  it("reports a bad ssm: reference with the configuration's other mistakes, in one message, and a hierarchy without its leading slash", async () => {
    // Prepare: a reference SSM could not name, one without its leading slash, a typo and an unknown zone
    const resolve = vi.fn(async () => new Map<string, string>());
    const config = {
      ...valid,
      leadMinute: [5],
      timezone: "Bad/Zone",
      webhooks: { team: "ssm:/a b/c", ops: "ssm:ical/webhooks/ops" },
    };

    // Act
    const error = await parseConfig(JSON.stringify(config), "config.json", resolve).catch((e: unknown) => e);

    // Assess
    expect((error as ConfigError).path).toBe("webhooks.team");
    expect((error as Error).message).toMatch(
      /^webhooks\.team: is not a valid SSM reference; .* \(in config\.json\); also webhooks\.ops: is not a valid SSM reference/,
    );
    expect((error as Error).message).toMatch(/leadMinute: .*did you mean "leadMinutes"/);
    expect((error as Error).message).toMatch(/timezone: is not an IANA time zone/);
    expect(resolve).not.toHaveBeenCalled();
  });

  it("reports the configuration's other mistakes before asking SSM for its references", async () => {
    // Prepare
    const resolve = vi.fn(async () => new Map<string, string>());

    // Act
    const error = await parseConfig(
      JSON.stringify({ ...valid, leadMinute: [5], webhooks: { team: "ssm:/reminder/webhooks/team" } }),
      "config.json",
      resolve,
    ).catch((e: unknown) => e);

    // Assess
    expect((error as ConfigError).path).toBe("leadMinute");
    expect((error as Error).message).toMatch(/did you mean "leadMinutes"/);
    expect(resolve).not.toHaveBeenCalled();
  });

  it.each([
    ["[]", /^must be a JSON object such as \{ "webhooks"/],
    ["null", /^must be a JSON object such as \{ "webhooks"/],
  ])("says what a configuration of %s should be", async (text, message) => {
    const error = await parseConfig(text, "config.json").catch((e: unknown) => e);
    expect((error as Error).message).toMatch(message);
  });

  it("reads a file that starts with a byte-order mark, as some editors write one", async () => {
    const config = await parseConfig(`\uFEFF${JSON.stringify(valid)}`, "config.json");
    expect(config.feeds.map((f) => f.id)).toEqual(valid.feeds.map((f: { id: string }) => f.id));
  });

  it("says where JSON is broken without quoting the text around it, which may hold a webhook URL", async () => {
    // Prepare: a missing comma after an inline webhook URL
    const text = '{ "webhooks": { "team": "https://hooks.slack.com/services/T0/B0/inlinesecret" } "feeds": [] }';

    // Act
    const error = await parseConfig(text, "config.json").catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toMatch(/config\.json is not valid JSON \(.*position \d+/);
    expect((error as Error).message).not.toContain("inlinesecret");
    expect((error as Error).cause).toBeUndefined();
  });

  it("says on which line and column a URL left unquoted breaks the JSON, without quoting it", async () => {
    // Prepare
    const text = '{\n  "webhooks": { "team": https://hooks.slack.com/services/T0/B0/baresecret }\n}';

    // Act
    const error = await parseConfig(text, "config.json").catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toBe("config.json is not valid JSON (Unexpected token 'h' at line 2 column 25)");
  });

  it("tells a webhook URL pasted where a webhook's name goes to name one of the webhooks, without repeating it", async () => {
    // Act
    const error = await rejection({ ...valid, feeds: [{ ...valid.feeds[0], webhook: "https://hooks.slack.com/services/T0/B0/pasted" }] });

    // Assess
    expect(error.message).toMatch(/feeds\[0\]\.webhook: is a URL: name a webhook of "webhooks" here/);
    expect(error.message).not.toContain("pasted");
  });

  it("never repeats a URL in its messages", async () => {
    const error = await rejection({ ...valid, feeds: [{ ...valid.feeds[0], webhook: "ops" }] });
    expect(error.message).not.toContain("token");
    expect(error.message).not.toContain("secret");
  });
});

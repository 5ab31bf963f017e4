import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AWS_ON_FIRST_USE } from "../../src/aws-on-first-use.ts";
import { parseConfig } from "../../src/config/load.ts";
import { readSettings } from "../../src/config/settings.ts";
import { createFeedFetcher } from "../../src/feeds/fetch.ts";
import { createHandler } from "../../src/handler.ts";
import { createDynamoLedger } from "../../src/ledger/dynamodb.ts";
import { silentLogger } from "../../src/log.ts";
import { type RunEdges, runReminders } from "../../src/run/run.ts";
import { createSlackPoster } from "../../src/slack/webhook.ts";
import { noTracer } from "../../src/tracing/tracer.ts";
import { dynamoEnvironment, type LocalDynamo, startDynamo } from "../support/dynalite.ts";
import { type Loopback, type SlackPost, type SlackReply, startFeedHost, startSlack } from "../support/loopback.ts";
import { virtualTime } from "../support/virtual-time.ts";

const fixture = (name: string) => readFileSync(join("test/fixtures", name), "utf8");
const event = (name: string) => JSON.parse(readFileSync(join("events", name), "utf8")) as unknown;
const at = (iso: string) => new Date(iso);

describe("exactly once, with a DynamoDB ledger (dynalite on 127.0.0.1)", () => {
  let dynamo: LocalDynamo;
  let feeds: Loopback;
  let slack: Loopback & { posts: SlackPost[] };
  let answer: (post: SlackPost) => SlackReply;
  let table: string;

  beforeAll(async () => {
    dynamo = await startDynamo();
    feeds = await startFeedHost({ "/team.ics": fixture("team-week.ics") });
  });

  afterAll(async () => {
    await Promise.all([dynamo.close(), feeds.close()]);
  });

  beforeEach(async () => {
    answer = () => ({ status: 200, body: "ok" });
    slack = await startSlack((post) => answer(post));
    table = await dynamo.createLedgerTable();
  });

  afterEach(async () => {
    await slack.close();
  });

  const configText = () =>
    JSON.stringify({
      webhooks: { team: `${slack.url}/services/T0/B0/hooksecret` },
      feeds: [{ id: "team", url: `${feeds.url}/team.ics`, webhook: "team" }],
      ledger: { table, catchUpMinutes: 15 },
    });

  /** One run as the handler wires it, on the scheduled time `reference`, at wall-clock `now`. */
  async function run(reference: Date, now: Date = reference) {
    const config = await parseConfig(configText(), "test");
    const time = virtualTime();
    const edges: RunEdges = {
      fetcher: createFeedFetcher({ timeoutMs: 2_000, maxBytes: 1_000_000, attempts: 1 }),
      poster: createSlackPoster({ webhooks: config.webhooks, timeoutMs: 2_000 }),
      tracer: noTracer,
      log: silentLogger(),
      clock: () => now,
      ledger: { store: createDynamoLedger({ table, client: dynamo.client }), catchUpMinutes: 15 },
      // Pacing and backoff on virtual time: the outage is Slack's, the waiting need not be ours.
      delivery: { now: time.now, sleep: time.sleep },
    };
    return runReminders({ config, reference, strategy: "pipelined", dryRun: false }, edges);
  }

  const titles = () =>
    slack.posts.flatMap((p) => JSON.stringify(p.payload).match(/\*(Platform sync|Standup[^*]*|Due in the next run)\*/g) ?? []);

  it("posts the same event's reminders once when the event is delivered twice, even at the same time", async () => {
    // Act: Lambda retries an invocation while the first is still running, then once more
    const [first, second] = await Promise.all([run(at("2026-03-12T14:50:00Z")), run(at("2026-03-12T14:50:00Z"))]);
    const third = await run(at("2026-03-12T14:50:00Z"));

    // Assess
    expect(titles().sort()).toEqual(["*Platform sync*", "*Standup &lt;!channel&gt;*"]);
    expect(first.reminders.sent + second.reminders.sent).toBe(2);
    expect(first.reminders.duplicate + second.reminders.duplicate).toBe(2);
    expect(third.reminders).toEqual({ due: 2, sent: 0, duplicate: 2, failed: 0, unknown: 0 });
  });

  it("delivers what a Slack outage kept back in the next run's catch-up, while the events are ahead", async () => {
    // Prepare: Slack is down for the 14:50 run
    answer = () => ({ status: 503, body: "service_unavailable" });

    // Act
    const outage = await run(at("2026-03-12T14:50:00Z"));
    const postsDuringOutage = slack.posts.length;
    answer = () => ({ status: 200, body: "ok" });
    slack.posts.length = 0;
    const next = await run(at("2026-03-12T14:55:00Z"));

    // Assess
    expect(postsDuringOutage).toBeGreaterThan(1);
    expect(outage.reminders).toEqual({ due: 2, sent: 0, duplicate: 0, failed: 2, unknown: 0 });
    expect(outage.errors).toEqual([{ webhook: "team", message: expect.stringMatching(/HTTP 503.*after \d attempts/) }]);
    expect(titles().sort()).toEqual(["*Due in the next run*", "*Platform sync*", "*Standup &lt;!channel&gt;*"]);
    expect(next.reminders).toEqual({ due: 3, sent: 3, duplicate: 0, failed: 0, unknown: 0 });
  });

  it("does not catch up on a reminder whose event has started", async () => {
    // Prepare
    answer = () => ({ status: 503, body: "" });
    await run(at("2026-03-12T14:50:00Z"));
    answer = () => ({ status: 200, body: "ok" });
    slack.posts.length = 0;

    // Act: the next run comes late, after the sync started at 15:00 (the standup starts 15:02)
    const late = await run(at("2026-03-12T14:55:00Z"), at("2026-03-12T15:01:00Z"));

    // Assess
    expect(titles().sort()).toEqual(["*Due in the next run*", "*Standup &lt;!channel&gt;*"]);
    expect(late.reminders.sent).toBe(2);
  });

  it("posts nothing for a late duplicate of an earlier run", async () => {
    // Prepare
    await run(at("2026-03-12T14:50:00Z"));
    await run(at("2026-03-12T14:55:00Z"));
    const delivered = titles().length;

    // Act: the 14:50 invocation arrives again at 14:58
    const duplicate = await run(at("2026-03-12T14:50:00Z"), at("2026-03-12T14:58:00Z"));

    // Assess
    expect(delivered).toBe(3);
    expect(titles()).toHaveLength(3);
    expect(duplicate.reminders).toEqual({ due: 2, sent: 0, duplicate: 2, failed: 0, unknown: 0 });
  });

  describe("through the handler, with LEDGER_TABLE and AWS_ENDPOINT_URL_DYNAMODB", () => {
    let dir: string;

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), "ledger-handler-"));
    });

    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("posts the scheduled event's reminders once when EventBridge delivers it twice", async () => {
      // Prepare: the configuration names another table; the environment wins
      const file = join(dir, "config.json");
      await writeFile(file, configText().replace(table, "overridden-by-env"));
      for (const [key, value] of Object.entries(dynamoEnvironment(dynamo.endpoint))) vi.stubEnv(key, value);
      vi.stubEnv("LEDGER_TABLE", table);
      vi.stubEnv("CONFIG_FILE", file);
      vi.stubEnv("LOG_LEVEL", "silent");
      const handler = createHandler(readSettings(process.env), AWS_ON_FIRST_USE);

      // Act
      const first = await handler(event("scheduled.json"));
      const second = await handler(event("scheduled.json"));

      // Assess
      expect(slack.posts).toHaveLength(1);
      expect(first.reminders).toEqual({ due: 2, sent: 2, duplicate: 0, failed: 0, unknown: 0 });
      expect(second.reminders).toEqual({ due: 2, sent: 0, duplicate: 2, failed: 0, unknown: 0 });
    });
  });
});

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { parseConfig } from "../../src/config/load.ts";
import { createFeedFetcher } from "../../src/feeds/fetch.ts";
import { createDynamoLedger } from "../../src/ledger/dynamodb.ts";
import type { Ledger } from "../../src/ledger/ledger.ts";
import { silentLogger } from "../../src/log.ts";
import { type RunEdges, runReminders } from "../../src/run/run.ts";
import { createSlackPoster } from "../../src/slack/webhook.ts";
import { noTracer } from "../../src/tracing/tracer.ts";
import { type LocalDynamo, startDynamo } from "../support/dynalite.ts";
import { type Loopback, startFeedHost, startLoopback } from "../support/loopback.ts";
import { virtualTime } from "../support/virtual-time.ts";

const fixture = (name: string) => readFileSync(join("test/fixtures", name), "utf8");
const at = (iso: string) => new Date(iso);
const FIRST = at("2026-03-12T14:50:00Z");
const NEXT = at("2026-03-12T14:55:00Z");

/** How Slack answers one post: at once, or when the test says (`hold`), or never (`drop`). */
type Behaviour = { kind: "answer"; status: number; body: string } | { kind: "hold" };

describe("at most once when the outcome is unknown (dynalite, loopback Slack, a killed process)", () => {
  let dynamo: LocalDynamo;
  let feeds: Loopback;
  let slack: Loopback;
  let posts: { path: string; text: string }[];
  let held: ServerResponse[];
  let behave: (index: number) => Behaviour;
  let onPost: () => void;
  let table: string;

  beforeAll(async () => {
    dynamo = await startDynamo();
    feeds = await startFeedHost({ "/team.ics": fixture("team-week.ics") });
  });

  afterAll(async () => {
    await Promise.all([dynamo.close(), feeds.close()]);
  });

  beforeEach(async () => {
    posts = [];
    held = [];
    onPost = () => {};
    behave = () => ({ kind: "answer", status: 200, body: "ok" });
    slack = await startLoopback((request, response, body) => {
      posts.push({ path: request.url ?? "", text: (JSON.parse(body) as { text: string }).text });
      const behaviour = behave(posts.length - 1);
      onPost();
      if (behaviour.kind === "hold") held.push(response);
      else response.writeHead(behaviour.status).end(behaviour.body);
    });
    table = await dynamo.createLedgerTable();
  });

  afterEach(async () => {
    vi.useRealTimers();
    for (const response of held) response.destroy();
    await slack.close();
  });

  const configText = () =>
    JSON.stringify({
      webhooks: { team: `${slack.url}/services/T0/B0/hooksecret` },
      feeds: [{ id: "team", url: `${feeds.url}/team.ics`, webhook: "team" }],
      ledger: { table, catchUpMinutes: 15 },
    });

  /** One in-process run on `reference`, as the handler wires it. */
  async function run(reference: Date, overrides: { ledger?: Ledger; attemptTimeoutMs?: number } = {}) {
    const config = await parseConfig(configText(), "test");
    const time = virtualTime();
    const edges: RunEdges = {
      fetcher: createFeedFetcher({ timeoutMs: 2_000, maxBytes: 1_000_000, attempts: 1 }),
      poster: createSlackPoster({ webhooks: config.webhooks, timeoutMs: 60_000 }),
      tracer: noTracer,
      log: silentLogger(),
      clock: () => reference,
      ledger: { store: overrides.ledger ?? createDynamoLedger({ table, client: dynamo.client }), catchUpMinutes: 15 },
      delivery: {
        now: time.now,
        sleep: time.sleep,
        ...(overrides.attemptTimeoutMs ? { attemptTimeoutMs: overrides.attemptTimeoutMs } : {}),
      },
    };
    return runReminders({ config, reference, strategy: "pipelined", dryRun: false }, edges);
  }

  /** Titles Slack received, each once per copy posted. */
  const copies = () => posts.flatMap((p) => p.text.match(/Platform sync|Standup|Due in the next run/g) ?? []);

  it("waits for a slow Slack's late 200 and posts one copy", async () => {
    // Prepare: Slack holds the answer until the test releases it, as a Slack taking seconds would
    behave = () => ({ kind: "hold" });
    onPost = () => {
      // Answered only once the run has had every chance to send a second copy meanwhile.
      setImmediate(() => setImmediate(() => held.shift()?.writeHead(200).end("ok")));
    };

    // Act
    const first = await run(FIRST);
    const again = await run(NEXT);

    // Assess
    expect(first.reminders).toEqual({ due: 2, sent: 2, duplicate: 0, failed: 0, unknown: 0 });
    expect(first.errors).toEqual([]);
    expect(copies().sort()).toEqual(["Due in the next run", "Platform sync", "Standup"]);
    expect(again.reminders.sent).toBe(1);
  });

  it("sends a post whose answer never came neither again in the run nor by catch-up, and counts it unknown", async () => {
    // Prepare: the first post's answer never comes within the attempt's time
    behave = (index) => (index === 0 ? { kind: "hold" } : { kind: "answer", status: 200, body: "ok" });

    // Act
    const first = await run(FIRST, { attemptTimeoutMs: 200 });
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 16 * 60_000); // every claim of the first run has lapsed
    const next = await run(NEXT);

    // Assess
    expect(posts).toHaveLength(2);
    expect(copies().sort()).toEqual(["Due in the next run", "Platform sync", "Standup"]);
    expect(first.reminders).toEqual({ due: 2, sent: 0, duplicate: 0, failed: 0, unknown: 2 });
    expect(first.errors).toEqual([
      { webhook: "team", message: expect.stringMatching(/^2 reminders: webhook "team": Slack did not answer within 0\.20 s; the message may have been posted, so it is not sent again/) },
    ]);
    expect(next.reminders).toEqual({ due: 1, sent: 1, duplicate: 0, failed: 0, unknown: 2 });
    expect(next.errors).toEqual([{ webhook: "team", message: expect.stringMatching(/an earlier run was posting these reminders/) }]);
  });

  it("never posts twice what a process killed with SIGKILL mid-post may have sent", async () => {
    // Prepare: Slack receives the post, and the process posting it dies before the answer
    behave = () => ({ kind: "hold" });
    const child = spawn(
      process.execPath,
      [
        "test/support/child-run.ts",
        JSON.stringify({ config: configText(), reference: FIRST.toISOString(), endpoint: dynamo.endpoint, table, remainingMs: 30_000 }),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_, signal) => resolve(signal)));
    onPost = () => child.kill("SIGKILL");

    // Act
    const signal = await exited;
    for (const response of held.splice(0)) response.destroy();
    behave = () => ({ kind: "answer", status: 200, body: "ok" });
    const whileHeld = await run(NEXT);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 60_000); // the dead run's 30 s are over
    const afterLapse = await run(NEXT);

    // Assess
    expect(signal).toBe("SIGKILL");
    expect(output).toBe("");
    expect(copies().sort()).toEqual(["Due in the next run", "Platform sync", "Standup"]);
    expect(whileHeld.reminders).toMatchObject({ sent: 1, unknown: 0 });
    expect(whileHeld.errors).toEqual([
      { webhook: "team", message: expect.stringMatching(/^2 reminders are claimed by another run that has not posted them \(its claim lapses at 20\d\d-/) },
    ]);
    expect(afterLapse.reminders).toEqual({ due: 1, sent: 0, duplicate: 1, failed: 0, unknown: 2 });
    expect(afterLapse.errors).toEqual([{ webhook: "team", message: expect.stringMatching(/^2 reminders: .*may have been posted, so they are not sent again/) }]);
  }, 30_000);

  it("reports a failed 'delivered' write and never posts those reminders again", async () => {
    // Prepare: the ledger takes claims, then cannot be written when the post has gone out
    const real = createDynamoLedger({ table, client: dynamo.client });
    const missing = createDynamoLedger({ table: "ledger-gone", client: dynamo.client });
    const failingDone: Ledger = { ...real, done: (ids) => missing.done(ids) };

    // Act
    const first = await run(FIRST, { ledger: failingDone });
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 16 * 60_000);
    const next = await run(NEXT);

    // Assess
    expect(first.reminders).toEqual({ due: 2, sent: 2, duplicate: 0, failed: 0, unknown: 0 });
    expect(first.errors).toEqual([
      { webhook: "team", message: expect.stringMatching(/^2 reminders were posted, but could not mark reminders delivered in the ledger table "ledger-gone".*no run sends them again/) },
    ]);
    expect(copies().sort()).toEqual(["Due in the next run", "Platform sync", "Standup"]);
    expect(next.reminders).toMatchObject({ sent: 1, unknown: 2 });
  });
});

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishRunMetrics, runMetrics } from "../src/metrics.ts";
import type { RunResult } from "../src/run/result.ts";
import { type Loopback, type SlackPost, startFeedHost, startSlack } from "./support/loopback.ts";
import { runCli } from "./support/run-cli.ts";

const result: RunResult = {
  strategy: "serial",
  reference: "2026-03-12T14:50:00Z",
  feeds: { total: 7, ok: 3, failed: 1, unchanged: 2, skipped: 3 },
  reminders: { due: 5, sent: 4, duplicate: 0, failed: 1, unknown: 0 },
  durationMs: 812,
  errors: [],
};

describe("runMetrics", () => {
  it("writes the counts the alarms read under the service dimension, and the duration per strategy", () => {
    // Act
    const document = runMetrics(result, 1_773_327_000_000);

    // Assess
    expect(document).toEqual({
      _aws: {
        Timestamp: 1_773_327_000_000,
        CloudWatchMetrics: [
          {
            Namespace: "IcalSlackReminder",
            Dimensions: [["service"]],
            Metrics: expect.arrayContaining([
              { Name: "RemindersFailed", Unit: "Count" },
              { Name: "RemindersSent", Unit: "Count" },
              { Name: "RemindersUnknown", Unit: "Count" },
              { Name: "FeedsFailed", Unit: "Count" },
              { Name: "FeedsSkipped", Unit: "Count" },
              { Name: "RunDuration", Unit: "Milliseconds" },
            ]),
          },
          {
            Namespace: "IcalSlackReminder",
            Dimensions: [["service", "strategy"]],
            Metrics: [{ Name: "RunDuration", Unit: "Milliseconds" }],
          },
        ],
      },
      service: "ical-slack-reminder",
      strategy: "serial",
      RemindersSent: 4,
      RemindersFailed: 1,
      RemindersUnknown: 0,
      FeedsFailed: 1,
      FeedsUnchanged: 2,
      FeedsSkipped: 3,
      RunDuration: 812,
    });
  });

  it("flushes one line per run", () => {
    const lines: string[] = [];
    publishRunMetrics(result, (line) => lines.push(line), 0);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith("}\n")).toBe(true);
  });
});

describe("metrics of a local invocation", () => {
  let feeds: Loopback;
  let slack: Loopback & { posts: SlackPost[] };
  let dir: string;
  let configFile: string;

  beforeAll(async () => {
    feeds = await startFeedHost({ "/team.ics": await readFile("test/fixtures/team-week.ics", "utf8") });
    slack = await startSlack();
    dir = await mkdtemp(join(tmpdir(), "metrics-test-"));
    configFile = join(dir, "config.json");
    await writeFile(
      configFile,
      JSON.stringify({
        webhooks: { team: `${slack.url}/services/T0/B0/secret` },
        feeds: [{ id: "team", url: `${feeds.url}/team.ics`, webhook: "team" }],
      }),
    );
  });

  afterAll(async () => {
    await Promise.all([feeds.close(), slack.close(), rm(dir, { recursive: true, force: true })]);
  });

  const isMetrics = (line: string) => line.includes('"_aws"');

  it("go to standard error under npm run invoke, leaving standard output to the result alone", async () => {
    // Act
    const run = await runCli("src/cli/invoke.ts", ["events/dry-run.json", "--config", configFile]);

    // Assess
    expect(run.code).toBe(0);
    const stdout = run.stdout.trim().split("\n");
    expect(stdout).toHaveLength(1);
    expect(JSON.parse(stdout[0] ?? "")).toMatchObject({ dryRun: true });
    const emf = run.stderr.split("\n").filter(isMetrics);
    expect(emf).toHaveLength(1);
    expect(JSON.parse(emf[0] ?? "")).toMatchObject({ service: "ical-slack-reminder", strategy: "pipelined" });
  });

  it("go to standard output inside the Lambda runtime, where CloudWatch reads them", async () => {
    // Act
    const run = await runCli("src/cli/invoke.ts", ["events/dry-run.json", "--config", configFile], {
      AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001",
    });

    // Assess: the metrics line first, the result still last
    const stdout = run.stdout.trim().split("\n");
    expect(stdout.filter(isMetrics)).toHaveLength(1);
    expect(JSON.parse(stdout.at(-1) ?? "")).toMatchObject({ dryRun: true });
    expect(run.stderr.split("\n").filter(isMetrics)).toHaveLength(0);
  });
});

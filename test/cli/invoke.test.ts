import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalDaemon } from "../../src/traces/daemon.ts";
import { assembleTraces } from "../../src/traces/documents.ts";
import { type Loopback, type SlackPost, startFeedHost, startSlack } from "../support/loopback.ts";
import { runCli } from "../support/run-cli.ts";

describe("npm run invoke", () => {
  let feeds: Loopback;
  let slack: Loopback & { posts: SlackPost[] };
  let dir: string;
  let configFile: string;

  beforeAll(async () => {
    feeds = await startFeedHost({ "/cal/token123/team.ics": await readFile("test/fixtures/team-week.ics", "utf8") });
    slack = await startSlack();
    dir = await mkdtemp(join(tmpdir(), "invoke-test-"));
    configFile = join(dir, "config.json");
    await writeFile(
      configFile,
      JSON.stringify({
        webhooks: { team: `${slack.url}/services/T0/B0/webhooksecret` },
        feeds: [{ id: "team", url: `${feeds.url}/cal/token123/team.ics`, webhook: "team" }],
      }),
    );
  });

  afterAll(async () => {
    await Promise.all([feeds.close(), slack.close(), rm(dir, { recursive: true, force: true })]);
  });

  it("runs the handler on events/scheduled.json and prints the result as the last stdout line", async () => {
    // Prepare: an X-Ray daemon stand-in
    const daemon = await startLocalDaemon();

    // Act
    const run = await runCli("src/cli/invoke.ts", ["events/scheduled.json", "--config", configFile], {
      AWS_XRAY_DAEMON_ADDRESS: daemon.address,
    });

    // Assess
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    const result = JSON.parse(lines[lines.length - 1] ?? "");
    expect(result).toMatchObject({
      strategy: "pipelined",
      reference: "2026-03-12T14:50:00Z",
      feeds: { total: 1, ok: 1, failed: 0 },
      reminders: { due: 2, sent: 2, duplicate: 0, failed: 0, unknown: 0 },
    });
    expect(slack.posts).toHaveLength(1);
    // Logs are JSON lines on stderr, with the request id Lambda would give.
    const logs = run.stderr
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(logs.some((l) => l.message === "run finished" && typeof l.requestId === "string")).toBe(true);
    expect(run.stdout + run.stderr).not.toMatch(/token123|webhooksecret/);

    // The run was traced under a root segment for the function, as Lambda would trace it.
    await daemon.until((docs) => docs.some((d) => d.name === "ical-slack-reminder" && !d.parent_id));
    await daemon.close();
    const [root] = assembleTraces(daemon.documents);
    expect(root?.children.map((c) => [c.name, c.annotations])).toEqual([
      ["strategy:pipelined", { strategy: "pipelined", feeds: 1, reminders: 2 }],
    ]);
    expect(root?.children[0]?.children.map((c) => c.name)).toEqual(["fetch:team", "parse:team", "notify:team"]);
    expect(JSON.stringify(daemon.documents)).not.toMatch(/token123|webhooksecret/);
  });

  it("runs the handler under the V8 heap limits Lambda sets for the template's MemorySize, or for --memory", async () => {
    // Act
    const fromTemplate = await runCli("src/cli/invoke.ts", ["events/dry-run.json", "--config", configFile]);
    const small = await runCli("src/cli/invoke.ts", ["events/dry-run.json", "--config", configFile, "--memory", "128"]);

    // Assess: 512 MB → new space 51 MB (semi-spaces of 25), old space 461; 128 MB → 12 (6), 116
    const limits = (run: { stderr: string }) =>
      run.stderr
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line))
        .find((l) => l.heapLimitMB !== undefined);
    expect(fromTemplate.code).toBe(0);
    expect(small.code).toBe(0);
    expect(limits(fromTemplate)).toMatchObject({
      memoryMB: 512,
      message: "V8 heap limits of a 512 MB Lambda function: --max-semi-space-size=25 --max-old-space-size=461",
    });
    expect(limits(small)).toMatchObject({
      memoryMB: 128,
      message: expect.stringContaining("--max-semi-space-size=6 --max-old-space-size=116"),
    });
    // The limits took effect: V8's heap limit is the old space plus the young generation, not the
    // gigabytes it would derive from this machine's memory.
    expect(limits(fromTemplate).heapLimitMB).toBeGreaterThanOrEqual(461);
    expect(limits(fromTemplate).heapLimitMB).toBeLessThanOrEqual(512 + 80);
    expect(limits(small).heapLimitMB).toBeLessThanOrEqual(128 + 20);
  });

  it("runs the function on the template's schedule, so a dry run refuses a configuration the deployed function would", async () => {
    // Prepare: a configuration for runs every 10 minutes, where the template deploys every 5
    const tenMinutes = join(dir, "ten-minutes.json");
    await writeFile(tenMinutes, JSON.stringify({ ...JSON.parse(await readFile(configFile, "utf8")), scheduleMinutes: 10 }));
    const { SCHEDULE_MINUTES: _, ...shell } = process.env;

    // Act
    const refused = await runCli("src/cli/invoke.ts", ["events/dry-run.json", "--config", tenMinutes], {}, 30_000, shell);
    const overridden = await runCli("src/cli/invoke.ts", ["events/dry-run.json", "--config", tenMinutes], { SCHEDULE_MINUTES: "10" });

    // Assess
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout.trim())).toEqual({
      errorType: "ConfigError",
      errorMessage: expect.stringMatching(/scheduleMinutes: is 10, but the function runs every 5 minutes/),
    });
    expect(overridden.code).toBe(0);
  });

  it("prints Lambda's error shape and exits non-zero for an unusable event", async () => {
    // Prepare
    const event = join(dir, "bad.json");
    await writeFile(event, JSON.stringify({ strategy: "fastest" }));

    // Act
    const run = await runCli("src/cli/invoke.ts", [event, "--config", configFile]);

    // Assess
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout.trim())).toEqual({
      errorType: "EventError",
      errorMessage: expect.stringMatching(/^event\.strategy: must be "serial" or "pipelined"/),
    });
  });
});

describe("npm run invoke, given what it cannot use", () => {
  it("answers with Lambda's error shape when an environment variable is unusable", async () => {
    // Act
    const run = await runCli("src/cli/invoke.ts", ["events/scheduled.json"], { STRATEGY: "bogus" });

    // Assess
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout.trim())).toEqual({
      errorType: "ConfigError",
      errorMessage: expect.stringMatching(/^STRATEGY: is "bogus"/),
    });
  });

  it("answers a mistyped flag with one line and the usage", async () => {
    // Act
    const run = await runCli("src/cli/invoke.ts", ["events/scheduled.json", "--timout", "5"]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "Unknown option '--timout'\nusage: npm run -s invoke -- <event.json> [--config <file>] [--timeout <seconds>] [--memory <MB>]\n",
    );
  });

  it.each(["0", "1e9", "fast"])("refuses --timeout %s: a Lambda function's Timeout is 1 to 900 seconds", async (timeout) => {
    const run = await runCli("src/cli/invoke.ts", ["events/scheduled.json", "--timeout", timeout]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^--timeout must be a number of seconds from 1 to 900/);
  });
});

describe("npm start", () => {
  it("prints the demo's reminders as Slack messages within seconds", async () => {
    const run = await runCli("src/cli/start.ts", [], { NO_COLOR: "1" });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("── Slack message 1");
    expect(run.stdout).toContain("Design review <!channel> & friends");
    expect(run.stdout).toContain("Sprint planning (moved earlier today)");
    const result = JSON.parse(run.stdout.trim().split("\n").pop() ?? "");
    expect(result.reminders).toMatchObject({ due: 4, sent: 4, failed: 0 });
    expect(result.digests).toMatchObject({ due: 1, sent: 1, failed: 0 });
    expect(run.stdout).toMatch(/Today · \w{3}, \w{3} \d+\n/);
  });

  it("says what an environment variable it reads should be, in one line, not a stack trace", async () => {
    const run = await runCli("src/cli/start.ts", [], { NO_COLOR: "1", STRATEGY: "fast", SCHEDULE_MINUTES: "10" });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('STRATEGY: is "fast"; set it to "serial" or "pipelined", or unset it');
  });

  it("answers --help with what it does", async () => {
    const run = await runCli("src/cli/start.ts", ["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm start\n/);
  });

  it("shows a moved and a cancelled event as change notices, after a first read five minutes before", async () => {
    const run = await runCli("src/cli/start.ts", [], { NO_COLOR: "1" });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/➡️ Sprint planning moved from .* to .* and is now called Sprint planning \(moved earlier today\)/);
    expect(run.stdout).toMatch(/❌ Sprint planning on .* is cancelled/);
    const result = JSON.parse(run.stdout.trim().split("\n").pop() ?? "");
    expect(result.notices).toEqual({ sent: 2, failed: 0 });
  });
});

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUNS_FILTER } from "../../src/traces/xray-api.ts";
import { type Loopback, startLoopback } from "../support/loopback.ts";
import { runCli } from "../support/run-cli.ts";

const recorded = async (name: string) => readFile(join("test/fixtures/xray", name), "utf8");

describe("npm run traces", () => {
  let xray: Loopback;
  let dir: string;
  const requests: { path: string; body: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    // Prepare: the X-Ray API on loopback, answering with recorded responses: two pages of trace
    // summaries (one serial run, one pipelined run of the same three feeds), then their traces.
    const pages = [await recorded("trace-summaries-page-1.json"), await recorded("trace-summaries-page-2.json")];
    const traces = await recorded("batch-get-traces.json");
    xray = await startLoopback((request, response, body) => {
      const parsed = JSON.parse(body || "{}") as Record<string, unknown>;
      requests.push({ path: request.url ?? "", body: parsed });
      const answer =
        request.url === "/TraceSummaries"
          ? pages[parsed.NextToken === "page-2-token" ? 1 : 0]
          : request.url === "/Traces"
            ? traces
            : undefined;
      if (answer === undefined) response.writeHead(404).end("{}");
      else response.writeHead(200, { "content-type": "application/json" }).end(answer);
    });
    dir = await mkdtemp(join(tmpdir(), "traces-test-"));
  });

  afterAll(async () => {
    await Promise.all([xray.close(), rm(dir, { recursive: true, force: true })]);
  });

  const aws = () => ({
    AWS_ENDPOINT_URL_XRAY: xray.url,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "example",
    AWS_CONFIG_FILE: join(dir, "none"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
  });

  it("finds the runs by their strategy annotation, reads their traces and prints the comparison", async () => {
    // Act
    const chart = join(dir, "chart.svg");
    const run = await runCli("src/cli/traces.ts", ["--since", "2h", "--until", "2026-11-25T15:00:00Z", "--chart", chart], aws());

    // Assess: what was asked
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const summaries = requests.filter((r) => r.path === "/TraceSummaries");
    expect(summaries).toHaveLength(2);
    expect(summaries[0]?.body).toMatchObject({
      FilterExpression: RUNS_FILTER,
      StartTime: Date.parse("2026-11-25T13:00:00Z") / 1000,
      EndTime: Date.parse("2026-11-25T15:00:00Z") / 1000,
    });
    expect(summaries[1]?.body.NextToken).toBe("page-2-token");
    const batches = requests.filter((r) => r.path === "/Traces");
    expect(batches).toHaveLength(1);
    expect(batches[0]?.body.TraceIds).toHaveLength(2);

    // Assess: what was printed
    expect(run.stdout).toContain("2 run(s) traced");
    expect(run.stdout).toMatch(/^serial\s+3\s+3\s+[\d.]+ s\s+[\d.]+ s\s+[\d.]+ s\s+[\d.]+×\s+0$/m);
    expect(run.stdout).toMatch(/^pipelined\s+3\s+3\s+/m);
    expect(run.stdout).toMatch(/speed-up, serial ÷ pipelined wall time: [\d.]+×/);
    const svg = await readFile(chart, "utf8");
    expect(svg).toContain("strategy:serial");
    expect(svg).toContain("strategy:pipelined");
    expect(svg).toContain("fetch:feed-2");
  });

  it("refuses a duration it cannot read", async () => {
    // Act
    const run = await runCli("src/cli/traces.ts", ["--since", "a week"], aws());

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--since "a week" is not a duration/);
  });

  it("says what failed when the X-Ray API refuses", async () => {
    // Prepare: no such endpoint
    const env = { ...aws(), AWS_ENDPOINT_URL_XRAY: `${xray.url}/nowhere` };

    // Act
    const run = await runCli("src/cli/traces.ts", ["--since", "30m"], env);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^cannot read traces from X-Ray: /);
  });
});

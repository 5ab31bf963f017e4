import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AWS_ON_FIRST_USE } from "../../src/aws-on-first-use.ts";
import { readSettings } from "../../src/config/settings.ts";
import { createHandler } from "../../src/handler.ts";
import { type LocalOtlpReceiver, segmentDocumentOf, startOtlpReceiver } from "../../src/traces/otlp.ts";
import { createOtlpExporter, type OtlpSpan, traceContextOf } from "../../src/tracing/otel.ts";
import { type Loopback, startFeedHost, startLoopback, startSlack } from "../support/loopback.ts";

const FEEDS = 40;

describe("traceContextOf", () => {
  it("reads the trace and the parent from Lambda's trace header, as OpenTelemetry ids", () => {
    expect(traceContextOf("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")).toEqual({
      traceId: "5759e988bd862e3fe1be46a994272793",
      parentSpanId: "53995c3f42cd8ad8",
      sampled: true,
    });
    expect(traceContextOf("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0").sampled).toBe(false);
  });

  it("starts an X-Ray-compatible trace without a header: the epoch seconds first", () => {
    // Act
    const context = traceContextOf(undefined, () => 0x6b06f000 * 1000);

    // Assess
    expect(context.traceId).toMatch(/^6b06f000[0-9a-f]{24}$/);
    expect(context.parentSpanId).toBeUndefined();
  });
});

describe("tracing with OpenTelemetry", () => {
  let receiver: LocalOtlpReceiver;
  let feeds: Loopback;
  let slack: Loopback;
  let dir: string;
  let config: string;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const ics = await readFile("test/fixtures/team-week.ics", "utf8");
    // Every feed but the last is served; the last answers 404.
    feeds = await startFeedHost(Object.fromEntries(Array.from({ length: FEEDS - 1 }, (_, i) => [`/private/s3cr3t/f${i}.ics`, ics])));
    slack = await startSlack();
    dir = await mkdtemp(join(tmpdir(), "otel-test-"));
    config = join(dir, "config.json");
    await writeFile(
      config,
      JSON.stringify({
        concurrency: 20,
        webhooks: Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`hook${i}`, `${slack.url}/services/T0/B${i}/hooksecret`])),
        feeds: Array.from({ length: FEEDS }, (_, i) => ({
          id: `f${i}`,
          url: `${feeds.url}/private/s3cr3t/f${i}.ics`,
          webhook: `hook${i % 4}`,
        })),
      }),
    );
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  afterAll(async () => {
    await Promise.all([receiver.close(), feeds.close(), slack.close(), rm(dir, { recursive: true, force: true })]);
  });

  it("exports every span under the right parent in the trace Lambda's header names, before the handler returns", async () => {
    // Prepare: Lambda's environment, OpenTelemetry chosen
    vi.stubEnv("CONFIG_FILE", config);
    vi.stubEnv("LOG_LEVEL", "silent");
    vi.stubEnv("TRACING", "otel");
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint);
    vi.stubEnv("_X_AMZN_TRACE_ID", "Root=1-6b06f000-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1");
    const handler = createHandler(readSettings(process.env), AWS_ON_FIRST_USE, process.env);

    // Act
    const result = await handler({ now: "2026-03-12T14:50:00Z", strategy: "pipelined" }, { awsRequestId: "otel" });

    // Assess: exported already, no waiting
    const spans = [...receiver.spans];
    expect(result.feeds).toMatchObject({ total: FEEDS, ok: FEEDS - 1, failed: 1 });
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set(["6b06f0000123456789abcdef01234567"]));
    const [run, ...others] = spans.filter((s) => s.name.startsWith("strategy:"));
    expect(others).toEqual([]);
    expect(run).toMatchObject({ name: "strategy:pipelined", parentSpanId: "53995c3f42cd8ad8" });
    expect(Object.fromEntries(run!.attributes.filter((a) => !a.key.startsWith("metadata.")).map((a) => [a.key, a.value]))).toMatchObject({
      strategy: { stringValue: "pipelined" },
      feeds: { intValue: String(FEEDS) },
      // Which of them the collector's awsxray exporter makes annotations: those `npm run traces` filters on
      "aws.xray.annotations": {
        arrayValue: { values: [{ stringValue: "strategy" }, { stringValue: "feeds" }, { stringValue: "reminders" }] },
      },
    });
    expect(segmentDocumentOf(run as OtlpSpan).annotations).toEqual({ strategy: "pipelined", feeds: FEEDS, reminders: expect.any(Number) });
    const children = spans.filter((s) => s !== run);
    expect(children.every((s) => s.parentSpanId === run!.spanId)).toBe(true);
    const names = children.map((s) => s.name);
    for (let i = 0; i < FEEDS; i += 1) expect(names).toContain(`fetch:f${i}`);
    for (let i = 0; i < FEEDS - 1; i += 1) expect(names).toContain(`parse:f${i}`);
    for (let i = 0; i < 4; i += 1) expect(names).toContain(`notify:hook${i}`);
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
    const failed = children.filter((s) => s.status?.code === 2).map((s) => s.name);
    expect(failed).toEqual([`fetch:f${FEEDS - 1}`]);
    for (const span of children) {
      expect(BigInt(span.startTimeUnixNano) >= BigInt(run!.startTimeUnixNano)).toBe(true);
      expect(BigInt(span.endTimeUnixNano) <= BigInt(run!.endTimeUnixNano)).toBe(true);
    }
    expect(JSON.stringify(spans)).not.toMatch(/s3cr3t|hooksecret/);
  });
});

describe("tracing off", () => {
  /** Runs the handler in a fresh process and lists every module it resolved. */
  function modulesLoaded(env: Record<string, string>): string[] {
    const script = `
      import { registerHooks } from "node:module";
      const seen = [];
      registerHooks({ resolve(specifier, context, next) { const found = next(specifier, context); seen.push(found.url); return found; } });
      const { handler } = await import(${JSON.stringify(pathToFileURL("src/local.ts").href)});
      await handler({ now: "2026-03-12T14:50:00Z", dryRun: true });
      process.stdout.write(JSON.stringify(seen));`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, LOG_LEVEL: "silent", ...env },
      encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as string[];
  }

  const tracingModules = (urls: string[]) => urls.filter((url) => /@opentelemetry|\/src\/tracing\/(xray|xray-daemon|otel)\.ts$/.test(url));

  it("loads neither an OpenTelemetry nor an X-Ray module, even in Lambda", async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), "tracing-off-"));
    const config = join(dir, "config.json");
    await writeFile(
      config,
      JSON.stringify({
        webhooks: { team: "https://hooks.slack.com/services/T0/B0/x" },
        // Nothing listens on port 9: the run fails the feed at once and carries on.
        feeds: [{ id: "team", url: "http://127.0.0.1:9/team.ics", webhook: "team" }],
        fetch: { attempts: 1 },
      }),
    );
    const lambda = { CONFIG_FILE: config, LAMBDA_TASK_ROOT: "/var/task", AWS_XRAY_DAEMON_ADDRESS: "127.0.0.1:9" };
    try {
      // Act
      const off = modulesLoaded({ ...lambda, TRACING: "off" });
      const otel = modulesLoaded({ ...lambda, TRACING: "otel", OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" });
      const xray = modulesLoaded(lambda);

      // Assess: the probe sees them when they are used
      expect(off.some((url) => url.endsWith("/src/handler.ts"))).toBe(true);
      expect(tracingModules(off)).toEqual([]);
      expect(tracingModules(otel).some((url) => url.endsWith("/src/tracing/otel.ts"))).toBe(true);
      expect(tracingModules(otel).some((url) => /\/src\/tracing\/xray(-daemon)?\.ts$/.test(url))).toBe(false);
      expect(tracingModules(xray).some((url) => url.endsWith("/src/tracing/xray-daemon.ts"))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("createOtlpExporter", () => {
  it("leaves a collector that answers without end once the batch's time is up", async () => {
    // Prepare: a collector that answers 200 and then trickles a byte every 20 ms, never idle
    let trickle: NodeJS.Timeout | undefined;
    const collector = await startLoopback((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      trickle = setInterval(() => response.write(" "), 20);
    });
    const exporter = createOtlpExporter(`${collector.url}/v1/traces`, { "service.name": "test" }, 300);
    const span = { traceId: "0".repeat(32), spanId: "1".repeat(16), name: "fetch:a", startTimeUnixNano: "1", endTimeUnixNano: "2" };

    try {
      // Act
      const flushed = await Promise.race([
        exporter.flush([span as unknown as OtlpSpan]).then(() => "flushed"),
        new Promise((resolve) => setTimeout(() => resolve("still waiting"), 3_000)),
      ]);

      // Assess
      expect(flushed).toBe("flushed");
    } finally {
      clearInterval(trickle);
      await collector.close();
    }
  });
});

// npm run compare [-- --feeds 40 --min-latency 50 --max-latency 400 --slack-latency 100 ...]
// npm run compare -- --scale            1,000 feeds at concurrency 64, pipelined only, peak RSS
// npm run compare -- --tracing otel     the same, traced with OpenTelemetry into a loopback OTLP receiver
//
// Runs the serial and the pipelined strategy on a synthetic workload served on loopback, traced with
// X-Ray into a local stand-in for the X-Ray daemon (UDP on 127.0.0.1), and reads the comparison from
// the segment documents it received: a table on standard output and a waterfall chart under
// bench/out/. Progress goes to standard error.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { readCommandLine, usageError } from "../src/cli/command-line.ts";
import { lambdaHeapFlags } from "../src/cli/lambda-context.ts";
import { configOf, DEFAULT_CONCURRENCY } from "../src/config/schema.ts";
import { createFeedFetcher, type FeedFetcher } from "../src/feeds/fetch.ts";
import { silentLogger } from "../src/log.ts";
import type { Strategy } from "../src/reminders/feed.ts";
import type { RunResult } from "../src/run/result.ts";
import { runReminders } from "../src/run/run.ts";
import { createSlackPoster } from "../src/slack/webhook.ts";
import { startLocalDaemon } from "../src/traces/daemon.ts";
import type { SegmentDocument } from "../src/traces/documents.ts";
import { assembleTraces, strategySpans, type TraceNode } from "../src/traces/documents.ts";
import { comparisonTable, figuresOf } from "../src/traces/figures.ts";
import { segmentDocumentOf, startOtlpReceiver } from "../src/traces/otlp.ts";
import { waterfallSvg } from "../src/traces/waterfall.ts";
import { createOtelTracer, createOtlpExporter, type OtlpSpan, traceContextOf } from "../src/tracing/otel.ts";
import type { Tracer } from "../src/tracing/tracer.ts";
import { openLocalSegment, xrayTracer } from "../src/tracing/xray.ts";
import type { WorkloadAddresses, WorkloadSpec } from "./workload.ts";

const USAGE = `npm run compare -- [options]
  --feeds N            feeds in the workload (default 40; 1000 with --scale)
  --min-latency MS     quickest feed answers after MS (default 50)
  --max-latency MS     slowest feed answers after MS (default 400)
  --slack-latency MS   Slack answers each post after MS (default 100)
  --webhooks N         distinct webhooks, feeds assigned round-robin (default: one per feed)
  --hosts N            feed hosts (loopback servers), feeds assigned round-robin (default: one per feed)
  --concurrency N      pipelined concurrency (default 16, the product's own; 64 with --scale)
  --series N           live weekly series in each calendar besides the due meeting (default 20)
  --events N           past events in each calendar: one-offs and ended series, ~135 bytes each (default 0)
  --strategies LIST    serial,pipelined (default both; pipelined only with --scale)
  --scale              1,000 feeds at concurrency 64, pipelined only: checks peak RSS < 256 MB
  --heap-mb N          run under the V8 heap limits Lambda sets for N MB (default 256 with --scale; 0: none)
  --tracing BACKEND    xray (default: documents over UDP to a daemon stand-in) or otel (OTLP/HTTP
                       to a loopback receiver, read back as the same documents)
  --out DIR            where the chart and the segment documents go (default bench/out)`;

const { values } = readCommandLine(USAGE, {
  feeds: { type: "string" },
  "min-latency": { type: "string", default: "50" },
  "max-latency": { type: "string", default: "400" },
  "slack-latency": { type: "string", default: "100" },
  webhooks: { type: "string" },
  hosts: { type: "string" },
  concurrency: { type: "string" },
  series: { type: "string", default: "20" },
  events: { type: "string", default: "0" },
  strategies: { type: "string" },
  scale: { type: "boolean", default: false },
  "heap-mb": { type: "string" },
  out: { type: "string", default: "bench/out" },
  tracing: { type: "string", default: "xray" },
});
if (values.tracing !== "xray" && values.tracing !== "otel") usageError(USAGE, `--tracing must be xray or otel, not "${values.tracing}"`);
const backend = values.tracing as "xray" | "otel";

function count(name: keyof typeof values, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) usageError(USAGE, `--${name} must be a whole number, not "${String(raw)}"`);
  return value;
}

const feedCount = count("feeds", values.scale ? 1000 : 40);
// The product's own default (`concurrency` in the configuration), so the comparison measures what a
// deployment does.
const concurrency = count("concurrency", values.scale ? 64 : DEFAULT_CONCURRENCY);
const webhookCount = Math.max(1, count("webhooks", feedCount));
const hostCount = Math.max(1, Math.min(count("hosts", feedCount), feedCount));
const strategies = (values.strategies ?? (values.scale ? "pipelined" : "serial,pipelined")).split(",").map((s) => s.trim()) as Strategy[];
const minLatency = count("min-latency", 50);
const maxLatency = count("max-latency", 400);
if (feedCount < 1) usageError(USAGE, "--feeds must be at least 1");
if (concurrency < 1) usageError(USAGE, "--concurrency must be at least 1");
if (minLatency > maxLatency) usageError(USAGE, "--min-latency must not be above --max-latency");
for (const strategy of strategies) {
  if (strategy !== "serial" && strategy !== "pipelined") {
    usageError(USAGE, `--strategies: "${strategy}" is not a strategy; use serial, pipelined or both`);
  }
}
const slackLatency = count("slack-latency", 100);
const series = count("series", 20);
const pastEvents = count("events", 0);

const progress = (text: string) => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${text}`);
};
const say = (text: string) => {
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[2K");
  process.stderr.write(`${text}\n`);
};

/** Counts finished downloads, to show progress while a run goes. */
function counting(fetcher: FeedFetcher, onDone: () => void): FeedFetcher {
  return {
    async fetchFeed(feed, signal) {
      try {
        return await fetcher.fetchFeed(feed, signal);
      } finally {
        onDone();
      }
    },
  };
}

/** Starts the loopback workload in a child process, so its memory is not counted as the run's. */
async function startWorkload(spec: WorkloadSpec): Promise<WorkloadAddresses & { close(): Promise<void> }> {
  const child = spawn(process.execPath, [new URL("./workload-server.ts", import.meta.url).pathname, JSON.stringify(spec)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, "line")) as [string];
  return {
    ...(JSON.parse(line) as WorkloadAddresses),
    close: async () => {
      child.stdin.end();
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

/**
 * V8 grows its heap lazily up to a limit derived from the machine's memory (gigabytes here), so a
 * process's peak RSS says more about the machine than about the run. Under `--heap-mb` the
 * benchmark runs again under the heap limits Lambda sets for a function given that much memory, by
 * the rule `npm run invoke` uses (new space a tenth, old space the rest).
 */
const heapFlags = lambdaHeapFlags;

async function main(): Promise<void> {
  const budget = count("heap-mb", values.scale ? 256 : 0);
  if (budget > 0 && !process.execArgv.some((flag) => flag.startsWith("--max-old-space-size"))) {
    const child = spawn(process.execPath, [...process.execArgv, ...heapFlags(budget), ...process.argv.slice(1)], {
      stdio: "inherit",
    });
    const [code] = (await once(child, "exit")) as [number | null];
    process.exitCode = code ?? 1;
    return;
  }
  const daemon = await startLocalDaemon();
  // The X-Ray SDK reads the daemon address when it loads, which is only now.
  process.env.AWS_XRAY_DAEMON_ADDRESS = daemon.address;
  const receiver = backend === "otel" ? await startOtlpReceiver() : undefined;
  const exporter = receiver ? createOtlpExporter(`${receiver.endpoint}/v1/traces`, { "service.name": "ical-slack-reminder" }) : undefined;
  /** What a backend received, as X-Ray segment documents. */
  const received = (): SegmentDocument[] => (receiver ? receiver.spans.map(segmentDocumentOf) : daemon.documents);

  const reference = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const dueAt = new Date(reference.getTime() + 10 * 60_000 + 60_000);
  const workload = await startWorkload({
    feeds: feedCount,
    hosts: hostCount,
    minLatencyMs: minLatency,
    maxLatencyMs: maxLatency,
    slackLatencyMs: slackLatency,
    series,
    pastEvents,
    dueAt: dueAt.toISOString(),
  });
  say(
    `workload: ${feedCount} feeds on ${hostCount} loopback host(s), latencies ${minLatency}–${maxLatency} ms, ` +
      `${(workload.calendarBytes / 1024).toFixed(1)} KB each; ` +
      `Slack answers in ${slackLatency} ms on ${webhookCount} webhook(s); pipelined concurrency ${concurrency}; ` +
      (budget > 0 ? `V8 heap limits for ${budget} MB (${heapFlags(budget).join(" ")}); ` : "") +
      (receiver ? `OTLP spans to ${receiver.endpoint}` : `X-Ray documents to ${daemon.address}`),
  );

  const config = configOf({
    concurrency,
    leadMinutes: [10],
    webhooks: Object.fromEntries(
      Array.from({ length: webhookCount }, (_, i) => [`hook-${i}`, `${workload.slack}/services/TBENCH/B${i}/bench`]),
    ),
    feeds: workload.feeds.map((url, i) => ({ id: `feed-${i}`, url, webhook: `hook-${i % webhookCount}` })),
  });
  const fetcher = createFeedFetcher({ timeoutMs: 10_000, maxBytes: 10 * 1024 * 1024, attempts: 3 });
  const poster = createSlackPoster({ webhooks: config.webhooks, timeoutMs: 10_000 });

  const runs: TraceNode[] = [];
  const results: RunResult[] = [];
  try {
    for (const strategy of strategies) {
      let read = 0;
      // X-Ray: a root segment, as Lambda writes one. OpenTelemetry: the strategy span starts the trace.
      const pending: OtlpSpan[] = [];
      const context = traceContextOf(undefined);
      const segment = receiver ? undefined : await openLocalSegment("ical-slack-reminder");
      const traceId = segment?.traceId ?? `1-${context.traceId.slice(0, 8)}-${context.traceId.slice(8)}`;
      const tracer: Tracer = receiver ? createOtelTracer(context, pending) : await xrayTracer(false);
      const started = performance.now();
      let quarter = 0;
      const ticker = setInterval(() => {
        const line = `${strategy}: ${read}/${feedCount} feeds read, ${((performance.now() - started) / 1000).toFixed(1)} s`;
        if (process.stderr.isTTY) progress(line);
        else if (read >= ((quarter + 1) * feedCount) / 4 && read < feedCount) {
          // Not a terminal (CI, a pipe): a line at each quarter instead of a live counter.
          quarter = Math.floor((read * 4) / feedCount);
          say(line);
        }
      }, 100);
      const result = await runReminders(
        { config, reference, strategy, dryRun: false },
        {
          fetcher: counting(fetcher, () => (read += 1)),
          poster,
          tracer,
          log: silentLogger(),
          clock: () => new Date(),
        },
      );
      clearInterval(ticker);
      if (segment) {
        segment.close();
        await daemon.until((docs) => docs.some((d) => d.trace_id === traceId && d.type !== "subsegment"), 30_000);
      } else {
        // Flushed as the handler flushes before it returns.
        await exporter?.flush(pending);
      }
      const [run] = strategySpans(assembleTraces(received().filter((d) => d.trace_id === traceId)));
      if (!run) throw new Error(`the ${strategy} run's strategy span did not arrive`);
      const fetchSpans = run.children.filter((s) => s.name.startsWith("fetch:")).length;
      say(
        `${strategy}: ${result.feeds.ok}/${result.feeds.total} feeds read, ${result.reminders.sent}/${result.reminders.due} reminders posted ` +
          `in ${(result.durationMs / 1000).toFixed(3)} s; ${fetchSpans}/${feedCount} fetch spans received` +
          (result.errors.length ? `; first error: ${result.errors[0]?.message}` : ""),
      );
      runs.push(run);
      results.push(result);
    }
  } finally {
    await Promise.all([workload.close(), daemon.close(), receiver?.close()]);
  }

  const figures = runs.map(figuresOf);
  process.stdout.write(`\n${comparisonTable(figures)}`);
  const peakMB = process.resourceUsage().maxRSS / 1024;
  const serial = figures.find((f) => f.strategy === "serial");
  const pipelined = figures.find((f) => f.strategy === "pipelined");
  const checks: [string, boolean][] = [];
  if (serial && pipelined) {
    const speedUp = serial.wallMs / pipelined.wallMs;
    checks.push([`pipelined at least 10× faster than serial (${speedUp.toFixed(1)}×)`, speedUp >= 10]);
  }
  const pipelinedRun = runs.find((run) => figuresOf(run).strategy === "pipelined");
  // With fewer slots than feeds, the slowest chain is no longer the only limit: the feeds wait for a
  // slot. The bound is then the schedule p-map would reach with no time lost: each feed, in the
  // order it started, on the slot that frees first, for its fetch and parse.
  const slotted = pipelinedRun && concurrency < feedCount ? slotBoundMs(pipelinedRun, concurrency) : 0;
  if (pipelined && slotted > 0) {
    const shared = pipelined.fetchSumMs / concurrency;
    process.stdout.write(
      `\nthroughput bound at concurrency ${concurrency} (Σ fetch ÷ ${concurrency}): ${(shared / 1000).toFixed(3)} s; ` +
        `pipelined wall ÷ that: ${(pipelined.wallMs / shared).toFixed(2)}×\n` +
        `bound with ${concurrency} slots (each feed's fetch + parse on the first free slot, plus one post): ` +
        `${(slotted / 1000).toFixed(3)} s; pipelined wall ÷ that: ${(pipelined.wallMs / slotted).toFixed(2)}×\n`,
    );
  }
  if (pipelined && !values.scale) {
    const bound = Math.max(pipelined.boundMs, slotted);
    const which = slotted > pipelined.boundMs ? `bound with ${concurrency} slots` : "critical-path bound";
    const overBound = pipelined.wallMs / bound;
    checks.push([`pipelined within 1.25× of the ${which} (${overBound.toFixed(2)}×)`, overBound <= 1.25]);
  }
  if (pipelined && !values.scale && concurrency >= feedCount) {
    // The bound above is read from the run's own spans, and a parse that waits for the CPU
    // lengthens them: in a CPU-bound run it grows with the run. The workload's latencies do not:
    // no schedule ends before the slowest feed has answered and one post has been answered.
    const ioBound = maxLatency + slackLatency;
    const overIo = pipelined.wallMs / ioBound;
    checks.push([
      `pipelined within 1.25× of the I/O critical path, slowest feed ${maxLatency} ms + Slack ${slackLatency} ms (${overIo.toFixed(2)}×)`,
      overIo <= 1.25,
    ]);
  }
  checks.push([`peak RSS of the run's process (the X-Ray collector included) under 256 MB (${peakMB.toFixed(0)} MB)`, peakMB < 256]);
  checks.push([
    "every feed read and every reminder posted",
    results.every((r) => r.feeds.ok === feedCount && r.reminders.sent === feedCount),
  ]);
  process.stdout.write(`\n${checks.map(([text, ok]) => `${ok ? "✔" : "✘"} ${text}`).join("\n")}\n`);

  await mkdir(values.out, { recursive: true });
  const name = `compare-${feedCount}`;
  const chart = `${values.out}/${name}.svg`;
  await writeFile(
    chart,
    waterfallSvg(runs, `npm run compare: ${feedCount} feeds, latencies ${minLatency}–${maxLatency} ms, Slack ${slackLatency} ms`),
  );
  await writeFile(`${values.out}/${name}-segments.json`, `${JSON.stringify(received())}\n`);
  process.stdout.write(`\nwaterfall chart: ${chart}\nsegment documents: ${values.out}/${name}-segments.json\n`);
  if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
}

/**
 * The shortest a run of these spans takes on `slots` slots: each feed's fetch and parse, in the
 * order its fetch started, on the slot that frees first (as p-map hands out its slots), then the
 * quickest post of the run — the critical-path bound of `figuresOf` once feeds wait for a slot.
 */
function slotBoundMs(run: TraceNode, slots: number): number {
  const spanMs = (node: TraceNode) => (node.end - node.start) * 1000;
  const started = new Map<string, number>();
  const chain = new Map<string, number>();
  let quickestPost = Number.POSITIVE_INFINITY;
  for (const span of run.children) {
    const [kind, id = ""] = span.name.split(/:(.*)/s);
    if (kind === "fetch") started.set(id, span.start);
    if (kind === "fetch" || kind === "parse") chain.set(id, (chain.get(id) ?? 0) + spanMs(span));
    if (kind === "notify") quickestPost = Math.min(quickestPost, spanMs(span));
  }
  const free = Array.from({ length: slots }, () => 0);
  let end = 0;
  for (const [id] of [...started].sort((a, b) => a[1] - b[1])) {
    const slot = free.indexOf(Math.min(...free));
    free[slot] = (free[slot] ?? 0) + (chain.get(id) ?? 0);
    end = Math.max(end, free[slot] ?? 0);
  }
  return end + (Number.isFinite(quickestPost) ? quickestPost : 0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});

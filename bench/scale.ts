// npm run -s bench:scale [-- --feeds 1000 --concurrency 64 --events 180 --series 3 ...]
//
// One `npm run -s invoke` over 1,000 feeds of about 25 KB each (mostly past events and ended series,
// one meeting due in the window, a few live weekly series) at concurrency 64, measured as a whole
// process: its CPU time (user + sys) and peak RSS, under the V8 heap limits Lambda's Node.js runtime
// sets for a 256 MB function. The feeds and the Slack stand-in are served on loopback by a separate
// process (bench/workload-server.ts), and X-Ray documents go to a socket of this process, so neither
// is counted as the run's. Before each measured run, bench/io-floor.ts does the same downloads,
// posts and X-Ray datagrams alone, under the same limits: the run's CPU is also given over that
// floor's. Prints a table; exits 1 when a target is missed or a reminder is lost.
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { closeSync, openSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readCommandLine, usageError } from "../src/cli/command-line.ts";
import { lambdaHeapFlags } from "../src/cli/lambda-context.ts";
import type { RunResult } from "../src/run/result.ts";
import type { FloorPlan } from "./io-floor.ts";
import type { ResourceUsage } from "./resource-usage.ts";
import { startWorkloadProcess } from "./workload-process.ts";

const USAGE = `npm run -s bench:scale -- [options]
  --feeds N            feeds in the configuration (default 1000)
  --concurrency N      the configuration's concurrency (default 64)
  --events N           past events in each calendar: one-offs and ended series (default 180)
  --series N           live weekly series in each calendar besides the due meeting (default 3)
  --min-latency MS     quickest feed answers after MS (default 50)
  --max-latency MS     slowest feed answers after MS (default 400)
  --slack-latency MS   Slack answers each post after MS (default 100)
  --memory-mb N        the function's memory: V8 limits and the peak RSS target (default 256)
  --cpu-s S            the CPU time target in seconds (default 3)
  --runs N             processes over all the feeds, one after another; targets judged on their
                       medians (default 1)`;

const { values } = readCommandLine(USAGE, {
  feeds: { type: "string", default: "1000" },
  concurrency: { type: "string", default: "64" },
  events: { type: "string", default: "180" },
  series: { type: "string", default: "3" },
  "min-latency": { type: "string", default: "50" },
  "max-latency": { type: "string", default: "400" },
  "slack-latency": { type: "string", default: "100" },
  "memory-mb": { type: "string", default: "256" },
  "cpu-s": { type: "string", default: "3" },
  runs: { type: "string", default: "1" },
});

function count(name: keyof typeof values, min: number): number {
  const raw = values[name];
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    usageError(USAGE, `--${name} must be a whole number of at least ${min}, not "${String(raw)}"`);
  return value;
}

const feeds = count("feeds", 1);
const concurrency = count("concurrency", 1);
const memoryMb = count("memory-mb", 128);
const runs = count("runs", 1);
const cpuTargetS = Number(values["cpu-s"]);
if (!(cpuTargetS > 0)) usageError(USAGE, `--cpu-s must be a number of seconds above 0, not "${values["cpu-s"]}"`);
const minLatency = count("min-latency", 0);
const maxLatency = count("max-latency", 0);
if (minLatency > maxLatency) usageError(USAGE, "--min-latency must not be above --max-latency");

/** One measured `invoke` process. */
interface Invocation {
  feeds: number;
  exit: string;
  wallS: number;
  usage: ResourceUsage | undefined;
  result: Partial<RunResult> & { errorMessage?: string };
  complete: boolean;
  logTail: string;
}

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The floor's CPU profile is told from the runs' by its name. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: `${pid}` is node's own placeholder in a profile's name
const FLOOR_PROFILE_NAME = "--cpu-prof-name=floor-${pid}.cpuprofile";

/** A stand-in for the X-Ray daemon that only counts what it is sent. */
async function xraySink(): Promise<{ address: string; documents: () => number; close(): void }> {
  const socket = createSocket("udp4");
  let documents = 0;
  socket.on("message", () => (documents += 1));
  socket.bind(0, "127.0.0.1");
  await once(socket, "listening");
  return { address: `127.0.0.1:${(socket.address() as AddressInfo).port}`, documents: () => documents, close: () => socket.close() };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "bench-scale-"));
  const reference = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const dueAt = new Date(reference.getTime() + 11 * 60_000);
  const workload = await startWorkloadProcess({
    feeds,
    hosts: feeds,
    minLatencyMs: minLatency,
    maxLatencyMs: maxLatency,
    slackLatencyMs: count("slack-latency", 0),
    series: count("series", 0),
    pastEvents: count("events", 0),
    dueAt: dueAt.toISOString(),
  });
  const xray = await xraySink();
  const heapFlags = lambdaHeapFlags(memoryMb);
  /**
   * The webhook of the `i`th feed, the same for a run and its floor. One webhook per feed: Slack's
   * pace of one message per second per webhook is not what this measures.
   */
  const webhookUrl = (i: number) => `${workload.slack}/services/TBENCH/B${i}/bench`;
  /** One whole `invoke` process over the first `n` feeds. */
  async function invoke(n: number): Promise<Invocation> {
    const configFile = join(dir, `config-${n}.json`);
    const eventFile = join(dir, "event.json");
    const usageFile = join(dir, `usage-${n}.json`);
    const logFile = join(dir, `invoke-${n}.log`);
    const urls = workload.feeds.slice(0, n);
    await writeFile(
      configFile,
      JSON.stringify({
        concurrency,
        leadMinutes: [10],
        webhooks: Object.fromEntries(urls.map((_, i) => [`hook-${i}`, webhookUrl(i)])),
        feeds: urls.map((url, i) => ({ id: `feed-${i}`, url, webhook: `hook-${i}` })),
      }),
    );
    await writeFile(eventFile, JSON.stringify({ now: reference.toISOString(), strategy: "pipelined" }));

    // What `npm run -s invoke -- <event> --config <file>` runs, with the usage report preloaded.
    const log = openSync(logFile, "w");
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [
        // The heap limits as node flags, so invoke runs under them at once instead of starting again.
        ...heapFlags,
        ...(process.env.SCALE_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.SCALE_CPU_PROF}`] : []),
        ...(process.env.SCALE_NODE_FLAGS?.split(" ").filter(Boolean) ?? []),
        "--import",
        join(ROOT, "bench/resource-usage.ts"),
        join(ROOT, "src/cli/invoke.ts"),
        eventFile,
        "--config",
        configFile,
        "--timeout",
        "600",
        "--memory",
        String(memoryMb),
      ],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", log],
        env: {
          ...process.env,
          RESOURCE_USAGE_FILE: usageFile,
          AWS_XRAY_DAEMON_ADDRESS: xray.address,
        },
      },
    );
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
    const wallS = (performance.now() - started) / 1000;
    closeSync(log);

    let result: Invocation["result"] = {};
    try {
      result = JSON.parse(stdout.trim().split("\n").pop() ?? "") as Invocation["result"];
    } catch {
      // No result: the process crashed (out of memory, say); the log says how.
    }
    let usage: ResourceUsage | undefined;
    try {
      usage = JSON.parse(await readFile(usageFile, "utf8")) as ResourceUsage;
    } catch {
      // The process died before it could report (a V8 heap limit ends it without an exit event).
    }
    const complete = result.feeds?.ok === n && result.reminders?.sent === n;
    if (process.env.SCALE_STDOUT) await writeFile(`${process.env.SCALE_STDOUT}-${n}.txt`, stdout);
    const logTail = complete && usage ? "" : (await readFile(logFile, "utf8")).trim().split("\n").slice(-5).join("\n");
    return { feeds: n, exit: signal ?? String(code), wallS, usage, result, complete, logTail };
  }

  /**
   * bench/io-floor.ts over the first `n` feeds: the same downloads, posts and X-Ray datagrams
   * at the same concurrency and under the same heap limits, and nothing else.
   */
  async function ioFloor(n: number): Promise<ResourceUsage | undefined> {
    const planFile = join(dir, `floor-${n}.json`);
    const usageFile = join(dir, `floor-usage-${n}.json`);
    const urls = workload.feeds.slice(0, n);
    const plan: FloorPlan = {
      feeds: urls,
      webhooks: urls.map((_, i) => webhookUrl(i)),
      concurrency,
      xray: xray.address,
    };
    await writeFile(planFile, JSON.stringify(plan));
    const child = spawn(
      process.execPath,
      [
        ...heapFlags,
        ...(process.env.SCALE_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.SCALE_CPU_PROF}`, FLOOR_PROFILE_NAME] : []),
        "--import",
        join(ROOT, "bench/resource-usage.ts"),
        join(ROOT, "bench/io-floor.ts"),
        planFile,
      ],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "inherit"],
        env: { ...process.env, RESOURCE_USAGE_FILE: usageFile },
      },
    );
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    await once(child, "exit");
    try {
      const done = JSON.parse(stdout.trim().split("\n").pop() ?? "") as { downloaded: number; posted: number };
      if (done.downloaded !== n || done.posted !== n) return undefined;
      return JSON.parse(await readFile(usageFile, "utf8")) as ResourceUsage;
    } catch {
      return undefined;
    }
  }

  try {
    process.stdout.write(
      `workload: ${feeds} feeds of ${(workload.calendarBytes / 1024).toFixed(1)} KB on ${feeds} loopback hosts, ` +
        `latencies ${minLatency}–${maxLatency} ms, concurrency ${concurrency}; V8 limits of a ${memoryMb} MB function: ${heapFlags.join(" ")}\n\n`,
    );
    // The same process over one feed first: what starting it costs, whatever the feeds.
    const base = await invoke(1);
    const measured: Invocation[] = [];
    // Each run is paired with a run of the floor right before it, so host drift touches both alike.
    const floors: (ResourceUsage | undefined)[] = [];
    for (let i = 0; i < runs; i++) {
      floors.push(await ioFloor(feeds));
      measured.push(await invoke(feeds));
    }

    const cpu = (u: ResourceUsage | undefined) => (u ? (u.userMs + u.systemMs) / 1000 : Number.NaN);
    const yes = (ok: boolean) => (ok ? "yes" : "no");
    const row = (r: Invocation) => [
      String(r.feeds),
      String(r.result.reminders?.sent ?? 0),
      r.wallS.toFixed(2),
      r.usage ? `${cpu(r.usage).toFixed(2)} (${(r.usage.userMs / 1000).toFixed(2)} + ${(r.usage.systemMs / 1000).toFixed(2)})` : "–",
      r.usage ? r.usage.peakRssMb.toFixed(0) : "–",
      yes(cpu(r.usage) <= cpuTargetS),
      yes(r.usage !== undefined && r.usage.peakRssMb < memoryMb),
    ];
    const header = [
      "feeds",
      "reminders sent",
      "wall s",
      "CPU s (user + sys)",
      "peak RSS MB",
      `CPU ≤ ${cpuTargetS} s`,
      `peak RSS < ${memoryMb} MB`,
    ];
    const table = [header, header.map(() => "---"), row(base), ...measured.map(row)];
    process.stdout.write(`${table.map((cells) => `| ${cells.join(" | ")} |`).join("\n")}\n\n`);
    /** The middle value (the lower of the two middle ones for an even count), as the run that stands for them all is picked. */
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)] ?? Number.NaN;
    // The run in the middle by CPU time stands for them all (a failed process sorts last).
    const byCpu = [...measured].sort((a, b) => (cpu(a.usage) || Number.POSITIVE_INFINITY) - (cpu(b.usage) || Number.POSITIVE_INFINITY));
    const run = byCpu[Math.floor((byCpu.length - 1) / 2)] as Invocation;
    const rss = measured.map((r) => r.usage?.peakRssMb ?? Number.POSITIVE_INFINITY).sort((x, y) => x - y);
    const medianRss = median(rss);
    if (runs > 1) {
      process.stdout.write(
        `median of ${runs} runs: ${cpu(run.usage).toFixed(2)} s CPU (${cpu(byCpu[0]?.usage).toFixed(2)}–${cpu(byCpu.at(-1)?.usage).toFixed(2)}), ` +
          `peak RSS ${medianRss.toFixed(0)} MB (${rss[0]?.toFixed(0)}–${rss.at(-1)?.toFixed(0)})\n`,
      );
    }
    if (base.usage && run.usage) {
      process.stdout.write(
        `${feeds} feeds over 1: +${(run.wallS - base.wallS).toFixed(2)} s wall, +${(cpu(run.usage) - cpu(base.usage)).toFixed(2)} s CPU, ` +
          `+${(run.usage.peakRssMb - base.usage.peakRssMb).toFixed(0)} MB peak RSS\n`,
      );
    }
    const floorCpu = floors.map(cpu);
    if (floorCpu.every(Number.isFinite)) {
      const ratios = measured.map((r, i) => cpu(r.usage) / (floorCpu[i] as number)).filter(Number.isFinite);
      const floorRss = median(floors.map((u) => u?.peakRssMb ?? Number.NaN));
      process.stdout.write(
        `I/O floor (the same downloads, posts and X-Ray datagrams, nothing else): ${median(floorCpu).toFixed(2)} s CPU, ` +
          `${floorRss.toFixed(0)} MB peak RSS; the run's CPU over it, run by run: ` +
          `${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})\n`,
      );
    } else {
      process.stdout.write("I/O floor: a run of bench/io-floor.ts did not download and post every feed\n");
    }
    for (const r of [base, ...measured]) {
      const errors = r.result.errors ?? [];
      process.stdout.write(
        `invoke over ${r.feeds} feed(s) exited ${r.exit}: ${r.result.feeds?.ok ?? 0}/${r.feeds} feeds read, ` +
          `${r.result.reminders?.sent ?? 0}/${r.feeds} reminders sent, ${errors.length} errors` +
          `${errors[0] ? ` (first: ${JSON.stringify(errors[0])})` : ""}${r.result.errorMessage ? `; failed: ${r.result.errorMessage}` : ""}\n`,
      );
      if (r.logTail) process.stdout.write(`last lines of its log:\n${r.logTail}\n`);
    }
    const ok =
      measured.every((r) => r.complete) && base.complete && cpu(run.usage) <= cpuTargetS && run.usage !== undefined && medianRss < memoryMb;
    if (!ok) process.exitCode = 1;
  } finally {
    xray.close();
    await workload.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});

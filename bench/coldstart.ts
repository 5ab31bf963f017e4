// npm run -s bench:coldstart [-- --runs 11 --out bench/out/coldstart]
//
// What a cold invocation costs: the import of the bundle as deployed plus its first run. Builds the
// bundle with the template's esbuild properties, then starts fresh Node.js processes under the
// template's NODE_OPTIONS and Lambda's V8 heap limits for the template's MemorySize, each importing
// the bundle and running the handler once on events/scheduled.json: a one-feed, one-webhook
// configuration read from SSM, with the ledger in DynamoDB, traced with X-Ray as deployed, every
// endpoint on loopback (an SSM stand-in, dynalite, a feed host, a Slack stand-in, an X-Ray daemon
// stand-in). The same processes importing an empty
// module give the floor. Medians over the runs; a table on standard output. COLDSTART_CPU_PROF=dir
// writes a CPU profile of each handler process there.
import { spawn } from "node:child_process";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { bundleWithMetafile, weightsByPackage } from "../scripts/build.ts";
import { readCommandLine, usageError } from "../src/cli/command-line.ts";
import { lambdaEnvironment, lambdaHeapFlags, templateMemorySize } from "../src/cli/lambda-context.ts";
import { startLocalDaemon } from "../src/traces/daemon.ts";
import { startDynamo } from "../test/support/dynalite.ts";
import { startFeedHost, startSlack } from "../test/support/loopback.ts";
import { startSsm } from "../test/support/ssm.ts";

const USAGE = `npm run -s bench:coldstart -- [options]
  --runs N     fresh processes per measurement (default 11)
  --out DIR    where the bundle is built (default bench/out/coldstart; inside the repository, so the
               AWS SDK the runtime provides resolves from node_modules)`;

const { values } = readCommandLine(USAGE, {
  runs: { type: "string", default: "11" },
  out: { type: "string", default: "bench/out/coldstart" },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) usageError(USAGE, "--runs must be a whole number of at least 1");

/** The most a deployable bundle may weigh, and a cold invocation may take, on this machine. */
const LIMITS = { bundleBytes: 1_500_000, coldMs: 300 };

/** Imports a module and, if it is the handler, runs it once; prints the two times as JSON. */
const PROBE = `
const started = performance.now();
const module = await import(process.argv[2]);
const imported = performance.now();
let result;
if (module.handler) {
  const event = JSON.parse(process.argv[3]);
  const deadline = Date.now() + 60_000;
  result = await module.handler(event, { awsRequestId: "coldstart", getRemainingTimeInMillis: () => deadline - Date.now() });
}
const ran = performance.now();
process.stdout.write(JSON.stringify({ importMs: imported - started, runMs: ran - imported, result }) + "\\n");
process.exit(0);
`;

/** The function's NODE_OPTIONS in template.yaml, as Lambda passes them to Node.js. */
async function templateNodeOptions(): Promise<string> {
  const text = await readFile("template.yaml", "utf8");
  const plain = ["Ref", "Sub", "GetAtt", "If", "Equals", "Not", "FindInMap"].flatMap((name) =>
    (["scalar", "seq", "map"] as const).map((collection) => ({
      tag: `!${name}`,
      ...(collection === "scalar" ? {} : { collection }),
      resolve: () => name,
    })),
  );
  const template = parse(text, { customTags: plain, strict: false, logLevel: "silent" }) as {
    Resources: Record<string, { Type: string; Properties?: { Environment?: { Variables?: Record<string, unknown> } } }>;
  };
  const fn = Object.values(template.Resources).find((r) => r.Type === "AWS::Serverless::Function");
  return String(fn?.Properties?.Environment?.Variables?.NODE_OPTIONS ?? "");
}

interface Sample {
  importMs: number;
  runMs: number;
  result?: { reminders?: { sent?: number }; feeds?: { ok?: number }; errors?: unknown[] };
}

function probe(probeFile: string, target: string, env: Record<string, string>, execArgv: string[]): Promise<Sample> {
  return new Promise((done, failed) => {
    const child = spawn(process.execPath, [...execArgv, probeFile, target, JSON.stringify(scheduledEvent)], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", failed);
    child.on("close", (code) => {
      const line = stdout.trim().split("\n").pop() ?? "";
      if (code !== 0 || !line.startsWith("{")) failed(new Error(`the probe of ${target} failed (exit ${code}): ${stderr.slice(-2000)}`));
      else done(JSON.parse(line) as Sample);
    });
  });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

const scheduledEvent = JSON.parse(await readFile("events/scheduled.json", "utf8")) as unknown;

async function main(): Promise<void> {
  const out = resolve(values.out);
  await mkdir(out, { recursive: true });
  const metafile = await bundleWithMetafile(out);
  const output = Object.keys(metafile.outputs).find((o) => o.endsWith(".mjs"));
  if (!output) throw new Error("the build produced no .mjs bundle");
  const entry = resolve(output);
  const bundleBytes = (await stat(entry)).size;
  const mapBytes = await stat(`${entry}.map`).then(
    (s) => s.size,
    () => 0,
  );
  const empty = join(out, "empty.mjs");
  const probeFile = join(out, "probe.mjs");
  await writeFile(empty, "export {};\n");
  await writeFile(probeFile, PROBE);

  const feeds = await startFeedHost({ "/cal/private-token/team.ics": await readFile("test/fixtures/team-week.ics", "utf8") });
  const slack = await startSlack();
  const dynamo = await startDynamo();
  const parameters = new Map<string, string>([
    ["/ical-slack-reminder/webhooks/team", `${slack.url}/services/T0/B0/coldstart`],
    ["/ical-slack-reminder/feeds/team", `${feeds.url}/cal/private-token/team.ics`],
    [
      "/ical-slack-reminder/config",
      JSON.stringify({
        webhooks: { team: "ssm:/ical-slack-reminder/webhooks/team" },
        feeds: [{ id: "team", url: "ssm:/ical-slack-reminder/feeds/team", webhook: "team" }],
      }),
    ],
  ]);
  const ssm = await startSsm(parameters);
  // Tracing as deployed (`Tracing: Active`, X-Ray by default): the SDK loads at init, documents go
  // to a daemon stand-in.
  const daemon = await startLocalDaemon();
  const memoryMB = templateMemorySize();
  const nodeOptions = await templateNodeOptions();
  const heapFlags = lambdaHeapFlags(memoryMB);
  const fn = { functionName: "ical-slack-reminder", memoryMB, timeoutSeconds: 60, region: "us-east-1" };

  const samples: { handler: Sample[]; empty: Sample[] } = { handler: [], empty: [] };
  try {
    for (let i = 0; i < runs; i += 1) {
      // A fresh ledger table each time: every run is a first run, posting its reminders.
      const table = await dynamo.createLedgerTable();
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? "",
        ...lambdaEnvironment(fn),
        NODE_OPTIONS: nodeOptions,
        CONFIG_PARAMETER: "/ical-slack-reminder/config",
        LEDGER_TABLE: table,
        LOG_LEVEL: "info",
        AWS_LAMBDA_LOG_LEVEL: "INFO",
        AWS_ENDPOINT_URL_SSM: ssm.url,
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ACCESS_KEY_ID: "AKIDLOOPBACK",
        AWS_SECRET_ACCESS_KEY: "loopback-secret",
        TZ: "UTC",
        LAMBDA_TASK_ROOT: out,
        AWS_XRAY_DAEMON_ADDRESS: daemon.address,
        AWS_XRAY_CONTEXT_MISSING: "IGNORE_ERROR",
        _X_AMZN_TRACE_ID: `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${"0".repeat(23)}${i % 10};Parent=53995c3f42cd8ad8;Sampled=1`,
      };
      // Alternated, so a machine that gets busier slows both alike.
      samples.empty.push(await probe(probeFile, empty, env, heapFlags));
      // COLDSTART_CPU_PROF=dir: a CPU profile of each handler process, to see where the time goes.
      const profile = process.env.COLDSTART_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${resolve(process.env.COLDSTART_CPU_PROF)}`] : [];
      const sample = await probe(probeFile, entry, env, [...heapFlags, ...profile]);
      const sent = sample.result?.reminders?.sent ?? 0;
      if (sample.result?.feeds?.ok !== 1 || sent < 1) {
        throw new Error(`run ${i + 1} did not read its feed and post its reminders: ${JSON.stringify(sample.result)}`);
      }
      samples.handler.push(sample);
      process.stderr.write(`run ${i + 1}/${runs}: import ${sample.importMs.toFixed(0)} ms, first run ${sample.runMs.toFixed(0)} ms\n`);
    }
  } finally {
    await Promise.all([feeds.close(), slack.close(), dynamo.close(), ssm.close(), daemon.close()]);
  }

  const importMs = median(samples.handler.map((s) => s.importMs));
  const runMs = median(samples.handler.map((s) => s.runMs));
  const coldMs = median(samples.handler.map((s) => s.importMs + s.runMs));
  const emptyMs = median(samples.empty.map((s) => s.importMs));
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
  const rows = [
    ["module", "size", "import", "first run", "import + first run"],
    ["empty module", "0 KB", `${emptyMs.toFixed(1)} ms`, "—", `${emptyMs.toFixed(1)} ms`],
    ["dist lambda.mjs", kb(bundleBytes), `${importMs.toFixed(1)} ms`, `${runMs.toFixed(1)} ms`, `${coldMs.toFixed(1)} ms`],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const table = rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "));
  process.stdout.write(
    `\nmedians of ${runs} fresh processes, NODE_OPTIONS="${nodeOptions}" ${heapFlags.join(" ")} (MemorySize ${memoryMB}); ` +
      `source map ${kb(mapBytes)}, read only when an error is formatted\n\n${table.join("\n")}\n\n`,
  );
  const checks: [string, boolean][] = [
    [`bundle at most 1.5 MB (${(bundleBytes / 1e6).toFixed(2)} MB)`, bundleBytes <= LIMITS.bundleBytes],
    [`median import + first run at most ${LIMITS.coldMs} ms (${coldMs.toFixed(0)} ms)`, coldMs <= LIMITS.coldMs],
  ];
  const heaviest = weightsByPackage(metafile, output).slice(0, 10);
  process.stdout.write(`heaviest in the bundle: ${heaviest.map(([name, bytes]) => `${name} ${kb(bytes)}`).join(", ")}\n\n`);
  process.stdout.write(`${checks.map(([text, ok]) => `${ok ? "✔" : "✘"} ${text}`).join("\n")}\n`);
  if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});

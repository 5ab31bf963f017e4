// npm run -s invoke -- <event.json> [--config <file>] [--timeout <seconds>] [--memory <MB>]
// Runs the handler once, as `sam local invoke -e` would: Lambda's environment variables and a
// context whose remaining time runs down, logs on standard error, and the result as one JSON line,
// last on standard output. It runs under the V8 heap limits Lambda sets for the function's memory
// (the template's MemorySize, or --memory): the command starts itself again under them.
// The run is traced as in Lambda. With X-Ray (TRACING unset or xray): a root segment for the
// function, the run's subsegments under it, sent to the X-Ray daemon at AWS_XRAY_DAEMON_ADDRESS
// (default 127.0.0.1:2000); nothing listening there costs nothing. With TRACING=otel: spans posted
// to OTEL_EXPORTER_OTLP_ENDPOINT. With TRACING=off: nothing.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { getHeapStatistics } from "node:v8";
import { tracingMode } from "../tracing/select.ts";
import { readCommandLine, usageError } from "./command-line.ts";
import {
  lambdaContext,
  lambdaEnvironment,
  lambdaHeapFlags,
  runsUnder,
  templateMemorySize,
  templateScheduleMinutes,
} from "./lambda-context.ts";

const USAGE = "usage: npm run -s invoke -- <event.json> [--config <file>] [--timeout <seconds>] [--memory <MB>]";

const fail: (message: string) => never = (message) => usageError(USAGE, message);

/** Lambda's answer for an invocation that failed: `{ errorType, errorMessage }`, on standard output. */
function failed(error: unknown): number {
  const err = error as Error;
  process.stdout.write(`${JSON.stringify({ errorType: err.name, errorMessage: err.message })}\n`);
  return 1;
}

async function main(): Promise<number> {
  const { values, positionals } = readCommandLine(USAGE, {
    config: { type: "string" },
    timeout: { type: "string", default: "60" },
    memory: { type: "string" },
  });
  const eventFile = positionals[0];
  if (!eventFile) fail("an event file is required, e.g. events/scheduled.json");
  const timeoutSeconds = Number(values.timeout);
  // Lambda's own bounds: 1 s to 15 minutes.
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 900) {
    fail("--timeout must be a number of seconds from 1 to 900, as a Lambda function's Timeout is");
  }
  const memoryMB = values.memory === undefined ? templateMemorySize() : Number(values.memory);
  if (!Number.isInteger(memoryMB) || memoryMB < 128 || memoryMB > 10_240) {
    fail("--memory must be a whole number of MB between 128 and 10240, as Lambda allows");
  }
  const heapFlags = lambdaHeapFlags(memoryMB);
  if (!runsUnder(heapFlags)) {
    // V8 fixes its heap limits at start-up: run again, under Lambda's.
    const child = spawn(process.execPath, [...heapFlags, ...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit" });
    const [code] = (await once(child, "exit")) as [number | null];
    return code ?? 1;
  }
  const heapLimitMB = getHeapStatistics().heap_size_limit / 1024 / 1024;
  // A log line like the handler's, so standard error stays one JSON object per line.
  process.stderr.write(
    `${JSON.stringify({
      level: "info",
      time: new Date().toISOString(),
      message: `V8 heap limits of a ${memoryMB} MB Lambda function: ${heapFlags.join(" ")}`,
      memoryMB,
      heapLimitMB: Math.round(heapLimitMB),
    })}\n`,
  );
  let event: unknown;
  try {
    event = JSON.parse(await readFile(eventFile, "utf8"));
  } catch (error) {
    fail(`cannot read event ${eventFile}: ${(error as Error).message}`);
  }

  const fn = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? "ical-slack-reminder",
    memoryMB,
    timeoutSeconds,
    region: process.env.AWS_REGION ?? "us-east-1",
  };
  setFunctionEnvironment(fn, values.config);
  // Anything the handler prints goes to standard error, as Lambda's logs do; standard output is
  // kept for the result alone.
  console.log = console.info = console.debug = console.error;

  // Imported only now: the handler reads its environment once, at module load, as in Lambda — where
  // a bad variable fails the invocation like any other error.
  let handler: typeof import("../local.ts")["handler"];
  try {
    ({ handler } = await import("../local.ts"));
  } catch (error) {
    return failed(error);
  }
  // X-Ray: a root segment for the function, as Lambda writes one. OpenTelemetry needs none: with no
  // trace header the run's strategy span starts a trace of its own.
  let segment: { close(error?: unknown): void } | undefined;
  try {
    if (tracingMode(process.env) === "xray") segment = await (await import("../tracing/xray.ts")).openLocalSegment(fn.functionName);
  } catch (error) {
    return failed(error);
  }
  try {
    const result = await handler(event, lambdaContext(fn));
    segment?.close();
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (error) {
    segment?.close(error);
    return failed(error);
  }
}

/** The environment Lambda gives the function, in this process (a region or schedule the shell names kept). */
function setFunctionEnvironment(fn: Parameters<typeof lambdaEnvironment>[0], configFile: string | undefined): void {
  Object.assign(process.env, lambdaEnvironment(fn), process.env.AWS_REGION ? { AWS_REGION: process.env.AWS_REGION } : {});
  // The schedule the template deploys, as the function gets it, unless the shell names another
  // (a stack deployed with --parameter-overrides ScheduleMinutes=N): a configuration whose
  // scheduleMinutes differs fails here as it would in Lambda.
  const scheduleMinutes = templateScheduleMinutes();
  if (process.env.SCHEDULE_MINUTES === undefined && scheduleMinutes !== undefined) process.env.SCHEDULE_MINUTES = String(scheduleMinutes);
  if (configFile) process.env.CONFIG_FILE = configFile;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);

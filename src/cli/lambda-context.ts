import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Context } from "aws-lambda";
import { parse } from "yaml";
import { BoundedMap } from "../bounded-map.ts";

export interface LocalFunction {
  functionName: string;
  memoryMB: number;
  timeoutSeconds: number;
  region: string;
}

/** The variables Lambda sets in a function's environment, as `sam local invoke` sets them. */
export function lambdaEnvironment(fn: LocalFunction): Record<string, string> {
  return {
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMB),
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `local/${randomUUID()}`,
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs24.x",
    AWS_REGION: fn.region,
    AWS_DEFAULT_REGION: fn.region,
  };
}

/** A Lambda context whose remaining time runs down from `timeoutSeconds` starting now. */
export function lambdaContext(fn: LocalFunction): Context {
  const deadline = Date.now() + fn.timeoutSeconds * 1000;
  const requestId = randomUUID();
  const unsupported = () => {
    throw new Error("callback-style completion is not supported; the handler returns a promise");
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${fn.region}:000000000000:function:${fn.functionName}`,
    memoryLimitInMB: String(fn.memoryMB),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.functionName}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/**
 * The V8 heap limits Lambda's Node.js bootstrap gives a function of `memoryMB`: a tenth of the
 * memory for the young generation (`--max-semi-space-size` is half of it: V8 keeps two semi-spaces),
 * the rest for the old generation. Without them V8 sizes its heap after the machine's memory
 * (gigabytes), so memory measured locally would say nothing about memory in Lambda.
 */
export function lambdaHeapFlags(memoryMB: number): string[] {
  const newSpace = Math.floor(memoryMB / 10);
  const semiSpace = Math.floor(newSpace / 2);
  const oldSpace = memoryMB - newSpace;
  return [`--max-semi-space-size=${semiSpace}`, `--max-old-space-size=${oldSpace}`];
}

/** Whether this process already runs under the heap limits `flags` sets. */
export function runsUnder(flags: string[], execArgv: readonly string[] = process.execArgv): boolean {
  return flags.every((flag) => execArgv.includes(flag));
}

interface Template {
  Parameters?: Record<string, { Default?: unknown }>;
  Resources: Record<string, { Type: string; Properties?: { MemorySize?: unknown } }>;
}

/** Templates read, by path: `invoke` asks for its memory size and its schedule. */
const templates = new BoundedMap<string, Template>(8);

/** `template.yaml` as data, read once per path: intrinsic functions are read as plain text (only plain values are needed). */
function readTemplate(templatePath: string): Template {
  return templates.remember(templatePath, parseTemplate, templatePath);
}

function parseTemplate(templatePath: string): Template {
  const tags = ["Ref", "Sub", "GetAtt", "If", "Equals", "Not", "FindInMap"].flatMap((name) =>
    (["scalar", "seq", "map"] as const).map((collection) => ({
      tag: `!${name}`,
      ...(collection === "scalar" ? {} : { collection }),
      resolve: () => name,
    })),
  );
  return parse(readFileSync(templatePath, "utf8"), { customTags: tags, strict: false, logLevel: "silent" }) as Template;
}

/** The function's `MemorySize` in `template.yaml` (Lambda's default, 128 MB, when it names none). */
export function templateMemorySize(templatePath = "template.yaml"): number {
  const fn = Object.values(readTemplate(templatePath).Resources).find((r) => r.Type === "AWS::Serverless::Function");
  const size = Number(fn?.Properties?.MemorySize ?? 128);
  return Number.isInteger(size) && size >= 128 ? size : 128;
}

/**
 * The schedule the template deploys by default (its `ScheduleMinutes` parameter, which it hands the
 * function as `SCHEDULE_MINUTES`), or undefined when it names none.
 */
export function templateScheduleMinutes(templatePath = "template.yaml"): number | undefined {
  const minutes = Number(readTemplate(templatePath).Parameters?.ScheduleMinutes?.Default);
  return Number.isInteger(minutes) && minutes >= 1 ? minutes : undefined;
}

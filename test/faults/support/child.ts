import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { lambdaHeapFlags } from "../../../src/cli/lambda-context.ts";
import type { RunResult } from "../../../src/run/result.ts";

/** The memory of the Lambda function the suite's child processes stand for, in MB. */
export const FUNCTION_MEMORY_MB = 256;

/** One run a child process does (see `run-child.ts`). */
export interface ChildRun {
  /** The configuration, as JSON text (read as a configuration file is). */
  config: string;
  reference: string;
  strategy?: "pipelined" | "serial";
  /** The function's timeout: the run's remaining time runs down from its start. */
  timeoutMs: number;
  /** The DynamoDB ledger; `failDelivered`: its "delivered" writes fail (they go to a table that does not exist). */
  ledger?: { endpoint: string; table: string; catchUpMinutes: number; failDelivered?: boolean };
  /** Overrides of the fetch limits the configuration sets. */
  fetch?: { timeoutMs?: number; deadlineMs?: number; attempts?: number; retryDelayMs?: number };
  /**
   * The configured feeds' hosts are taken for public addresses (they are on loopback here), so
   * their redirects may lead only to public ones.
   */
  publicFeeds?: boolean;
  /** Delivery tuning; without it the product's own pace and attempt timeout. */
  delivery?: { pace?: { burst: number; intervalMs: number }; attemptTimeoutMs?: number };
}

export interface ChildInput {
  runs: ChildRun[];
}

/** What the log of a run came to. */
export interface LogSummary {
  lines: number;
  /** Longest line written, in characters, its newline included. */
  longest: number;
  /** Each warn or error line: its message, its feed, its reason, and the calendar warnings it carries. */
  problems: { level: string; message: string; feed?: string; reason?: string; warnings?: string[] }[];
}

/** What a child process reports after each run. */
export interface ChildReport {
  result: RunResult;
  logs: LogSummary;
  wallMs: number;
  /** User and system CPU time of the run. */
  cpuMs: number;
  /** The process's peak resident memory so far (`process.resourceUsage().maxRSS`). */
  peakRssMb: number;
}

/** How a child process ended, and what it reported. */
export interface ChildOutcome {
  reports: ChildReport[];
  /** The signal that ended it (`SIGKILL` from the guard or from a case), or null. */
  signal: NodeJS.Signals | null;
  code: number | null;
  /** True when the guard killed it: a run went past every deadline it had. */
  overran: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Starts the runs in a child process under the V8 heap limits Lambda sets for a function of
 * `FUNCTION_MEMORY_MB` (new space a tenth of it, the old space the rest). A guard kills it with
 * SIGKILL once the runs' timeouts and a margin are over, so a run that blocks its event loop ends
 * the case as overrun rather than hanging the suite.
 */
export function startChild(
  input: ChildInput,
  options: { marginMs?: number } = {},
): {
  process: ChildProcessWithoutNullStreams;
  outcome: Promise<ChildOutcome>;
} {
  const child = spawn(process.execPath, [...lambdaHeapFlags(FUNCTION_MEMORY_MB), "test/faults/support/run-child.ts"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const guardMs = input.runs.reduce((sum, run) => sum + run.timeoutMs, 0) + (options.marginMs ?? 10_000);
  let overran = false;
  const guard = setTimeout(() => {
    overran = true;
    child.kill("SIGKILL");
  }, guardMs);
  child.stdin.end(JSON.stringify(input));
  const outcome = new Promise<ChildOutcome>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(guard);
      const reports = stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as ChildReport);
      resolve({ reports, signal, code, overran, stdout, stderr });
    });
  });
  return { process: child, outcome };
}

/** Runs `input` in a child process to its end and returns its reports; throws when it did not finish cleanly. */
export async function runInChild(input: ChildInput, options: { marginMs?: number } = {}): Promise<ChildReport[]> {
  const { reports, code, signal, overran, stderr } = await startChild(input, options).outcome;
  if (overran) throw new Error(`the child process overran every deadline and was killed; its stderr: ${stderr.slice(-2_000)}`);
  if (code !== 0 || reports.length !== input.runs.length) {
    throw new Error(
      `the child process ended with ${signal ?? `code ${code}`} after ${reports.length} of ${input.runs.length} runs: ${stderr.slice(-2_000)}`,
    );
  }
  return reports;
}

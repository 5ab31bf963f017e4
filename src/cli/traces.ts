// npm run traces -- --since <duration> [--until <ISO>] [--chart <file.svg>]
// The comparison of `npm run compare`, read from the deployed function's real traces: the runs
// X-Ray recorded in the last <duration> (e.g. 30m, 6h, 2d), found by their `strategy` annotation.
// Uses the AWS SDK's usual credentials and region (AWS_PROFILE, AWS_REGION, ...).
import { writeFile } from "node:fs/promises";
import { XRayClient } from "@aws-sdk/client-xray";
import { comparisonTable, figuresOf } from "../traces/figures.ts";
import { waterfallSvg } from "../traces/waterfall.ts";
import { readRuns } from "../traces/xray-api.ts";
import { readCommandLine, usageError } from "./command-line.ts";

const USAGE = "usage: npm run traces -- --since <duration, e.g. 30m, 6h, 2d> [--until <ISO>] [--chart <file.svg>]";
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const fail: (message: string) => never = (message) => usageError(USAGE, message);

/** `90s`, `30m`, `6h`, `2d` → milliseconds; `undefined` when unreadable. */
function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([smhd])$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * (UNITS[match[2] ?? ""] ?? Number.NaN);
}

async function main(): Promise<number> {
  const { values, positionals } = readCommandLine(USAGE, {
    since: { type: "string" },
    until: { type: "string" },
    chart: { type: "string" },
  });
  if (positionals.length > 0) fail(`unexpected argument "${positionals[0]}"`);
  if (!values.since) fail("--since is required");
  const span = parseDuration(values.since);
  // X-Ray keeps traces for 30 days.
  if (span === undefined || span <= 0 || span > 30 * 86_400_000) fail(`--since "${values.since}" is not a duration of at most 30d`);
  const to = values.until ? new Date(values.until) : new Date();
  if (Number.isNaN(to.getTime())) fail(`--until "${values.until}" is not an ISO 8601 date-time`);
  const from = new Date(to.getTime() - span);

  const runs = await readRuns(new XRayClient({}), from, to);
  if (runs.length === 0) {
    process.stdout.write(`no runs traced between ${from.toISOString()} and ${to.toISOString()}\n`);
    return 0;
  }
  const figures = runs.map(figuresOf);
  process.stdout.write(`${runs.length} run(s) traced between ${from.toISOString()} and ${to.toISOString()}\n\n`);
  process.stdout.write(comparisonTable(figures));
  for (const f of figures) {
    process.stdout.write(`${new Date(f.start * 1000).toISOString()}  ${f.strategy.padEnd(9)}  trace ${f.traceId ?? "?"}\n`);
  }
  if (values.chart) {
    // The latest run of each strategy, side by side.
    const latest = ["serial", "pipelined"]
      .map((strategy) => runs.filter((r) => r.name === `strategy:${strategy}`).at(-1))
      .filter((r) => r !== undefined);
    await writeFile(values.chart, waterfallSvg(latest, `npm run traces: latest runs since ${from.toISOString()}`));
    process.stdout.write(`waterfall chart: ${values.chart}\n`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const err = error as Error;
    // The SDK's own words for a missing setup do not say where the setup goes.
    const hint =
      /region is missing/i.test(err.message) || /credential/i.test(`${err.name} ${err.message}`)
        ? "\nset AWS_REGION to the deployed stack's region and AWS_PROFILE (or the AWS_ACCESS_KEY_ID pair) to an account that can call xray:GetTraceSummaries and xray:BatchGetTraces"
        : "";
    process.stderr.write(`cannot read traces from X-Ray: ${err.name}: ${err.message}${hint}\n`);
    process.exitCode = 1;
  },
);

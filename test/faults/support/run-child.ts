/**
 * Runs of the fault suite in a process of their own, started by `child.ts` under the V8 heap
 * limits Lambda sets, so a case can read the memory a run really takes, bound its time from
 * outside, or kill it with SIGKILL mid-post as Lambda's timeout or an out-of-memory stop would.
 *
 * Reads a `ChildInput` as JSON on standard input; wires each run as the handler does (the
 * configuration's fetch limits, the redactor over logs and result, the DynamoDB ledger when one is
 * given, a remaining time that runs down from the run's start); after each run prints one JSON
 * line, a `ChildReport`. Logs are counted, not kept, except the warn and error lines' summaries.
 */
import { Writable } from "node:stream";
import { text } from "node:stream/consumers";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { parseConfig } from "../../../src/config/load.ts";
import { createFeedFetcher } from "../../../src/feeds/fetch.ts";
import { createDynamoLedger } from "../../../src/ledger/dynamodb.ts";
import type { Ledger } from "../../../src/ledger/ledger.ts";
import { createLogger } from "../../../src/log.ts";
import { runReminders } from "../../../src/run/run.ts";
import { SecretRedactor, secretsOf, visibleNamesOf } from "../../../src/secrets/redact.ts";
import { createSlackPoster } from "../../../src/slack/webhook.ts";
import { noTracer } from "../../../src/tracing/tracer.ts";
import type { ChildInput, ChildReport, ChildRun, LogSummary } from "./child.ts";

/** A log destination that measures every line and keeps a short summary of the warn and error ones. */
function countingSink(summary: LogSummary): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n")) {
        if (!line) continue;
        summary.lines += 1;
        summary.longest = Math.max(summary.longest, line.length + 1);
        const entry = JSON.parse(line) as { level?: string; message?: string; feed?: string; reason?: string; warnings?: unknown[] };
        if (entry.level === "warn" || entry.level === "error") {
          summary.problems.push({
            level: entry.level,
            message: String(entry.message),
            ...(entry.feed ? { feed: entry.feed } : {}),
            ...(entry.reason ? { reason: entry.reason } : {}),
            ...(Array.isArray(entry.warnings) ? { warnings: entry.warnings.map(String) } : {}),
          });
        }
      }
      done();
    },
  });
}

/** The run's ledger; with `failDelivered`, one whose "delivered" writes fail, as an outage between claim and delivered would. */
function ledgerOf(ledger: NonNullable<ChildRun["ledger"]>, client: DynamoDBClient): Ledger {
  const store = createDynamoLedger({ table: ledger.table, client });
  if (!ledger.failDelivered) return store;
  const missing = createDynamoLedger({ table: "ledger-gone", client });
  return { ...store, done: (ids) => missing.done(ids) };
}

const input = JSON.parse(await text(process.stdin)) as ChildInput;
for (const run of input.runs) {
  const config = await parseConfig(run.config, "fault case");
  const redactor = new SecretRedactor();
  redactor.use(secretsOf(config), visibleNamesOf(config));
  const logs: LogSummary = { lines: 0, longest: 0, problems: [] };
  const client = run.ledger
    ? new DynamoDBClient({
        endpoint: run.ledger.endpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
      })
    : undefined;
  const reference = new Date(run.reference);
  const startedAt = Date.now();
  const remainingMs = () => Math.max(0, run.timeoutMs - (Date.now() - startedAt));
  const cpu = process.cpuUsage();
  const result = await runReminders(
    { config, reference, strategy: run.strategy ?? "pipelined", dryRun: false },
    {
      fetcher: createFeedFetcher({
        timeoutMs: config.fetch.timeoutSeconds * 1000,
        maxBytes: config.fetch.maxBytes,
        attempts: config.fetch.attempts,
        ...run.fetch,
        ...(run.publicFeeds ? { resolve: async () => ["93.184.215.14"] } : {}),
      }),
      poster: createSlackPoster({ webhooks: config.webhooks }),
      tracer: noTracer,
      log: createLogger("info", redactor.redact, countingSink(logs)),
      clock: () => reference,
      ...(run.ledger && client ? { ledger: { store: ledgerOf(run.ledger, client), catchUpMinutes: run.ledger.catchUpMinutes } } : {}),
      delivery: { ...run.delivery, remainingMs },
      remainingMs,
    },
  );
  const used = process.cpuUsage(cpu);
  client?.destroy();
  const report: ChildReport = {
    result: redactor.redactDeep(result),
    logs,
    wallMs: Date.now() - startedAt,
    cpuMs: Math.round((used.user + used.system) / 1000),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

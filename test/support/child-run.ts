/**
 * One run in a process of its own, so a test can kill it with SIGKILL mid-post as Lambda's
 * timeout or an out-of-memory stop would. Argument: JSON `{ config, reference, endpoint, table,
 * remainingMs }`. Prints the result as one JSON line if it lives that long.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { parseConfig } from "../../src/config/load.ts";
import { createFeedFetcher } from "../../src/feeds/fetch.ts";
import { createDynamoLedger } from "../../src/ledger/dynamodb.ts";
import { silentLogger } from "../../src/log.ts";
import { runReminders } from "../../src/run/run.ts";
import { createSlackPoster } from "../../src/slack/webhook.ts";
import { noTracer } from "../../src/tracing/tracer.ts";

const input = JSON.parse(process.argv[2] ?? "{}") as {
  config: string;
  reference: string;
  endpoint: string;
  table: string;
  remainingMs: number;
};
const config = await parseConfig(input.config, "child");
const client = new DynamoDBClient({
  endpoint: input.endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});
const reference = new Date(input.reference);
const result = await runReminders(
  { config, reference, strategy: "pipelined", dryRun: false },
  {
    fetcher: createFeedFetcher({ timeoutMs: 5_000, maxBytes: 1_000_000, attempts: 1 }),
    poster: createSlackPoster({ webhooks: config.webhooks, timeoutMs: 60_000 }),
    tracer: noTracer,
    log: silentLogger(),
    clock: () => reference,
    ledger: { store: createDynamoLedger({ table: input.table, client }), catchUpMinutes: 15 },
    delivery: { remainingMs: () => input.remainingMs },
  },
);
process.stdout.write(`${JSON.stringify(result)}\n`);
client.destroy();

import type { Context } from "aws-lambda";
import { loadConfig } from "./config/source.ts";
import { createParameterStore } from "./config/ssm.ts";
import type { Config } from "./config/schema.ts";
import { parseEvent, type RunRequest } from "./event.ts";
import { createFeedFetcher, FeedCache, type FeedFetcher } from "./feeds/fetch.ts";
import { selectLedger } from "./ledger/select.ts";
import { selectSnapshotStore } from "./ledger/snapshots-select.ts";
import { createLogger } from "./log.ts";
import { fileDescriptorSink, publishRunMetrics } from "./metrics.ts";
import type { RunResult } from "./run/result.ts";
import { requireLedgerForNotices } from "./notices/config.ts";
import { runReminders } from "./run/run.ts";
import { SecretRedactor, secretsOf, visibleNamesOf } from "./secrets/redact.ts";
import { redactingTracer } from "./secrets/redacting-tracer.ts";
import { readSettings } from "./config/settings.ts";
import { mapStackTracesLazily } from "./source-maps.ts";
import { createSlackPoster } from "./slack/webhook.ts";
import { selectTracing } from "./tracing/select.ts";

// The deployed bundle's stack traces name TypeScript positions, its source map read only when needed.
mapStackTracesLazily(import.meta.url);
// Read once per container: warm invocations reuse the settings, the logger and the connections.
const settings = readSettings(process.env);
const redactor = new SecretRedactor();
const log = createLogger(settings.logLevel, redactor.redact);
// One SSM client and cache per container: warm invocations reuse values for the cache's max age.
const parameters = createParameterStore({ maxAgeSeconds: settings.parametersMaxAgeSeconds });
const fetchers = new Map<string, FeedFetcher>();
const tracing = selectTracing(process.env);
// Validators and parsed calendars of the feeds read so far: unchanged feeds answer 304 next time.
const feedCache = new FeedCache();
const metricsSink = fileDescriptorSink(settings.metricsFd);

function fetcherFor(config: Config): FeedFetcher {
  const key = JSON.stringify(config.fetch);
  let fetcher = fetchers.get(key);
  if (!fetcher) {
    fetcher = createFeedFetcher({
      timeoutMs: config.fetch.timeoutSeconds * 1000,
      maxBytes: config.fetch.maxBytes,
      attempts: config.fetch.attempts,
      cache: feedCache,
      ...(settings.runtimeApi ? { runtimeApi: settings.runtimeApi } : {}),
    });
    fetchers.set(key, fetcher);
  }
  return fetcher;
}

/**
 * The clock messages count down from. A manual event's `now` simulates a moment, so its messages
 * read as they would have then; scheduled runs use the wall clock, so a late run says "in 3 minutes"
 * rather than "in 10 minutes".
 */
function messageClock(request: RunRequest): () => Date {
  const simulated = request.kind === "manual" ? request.reference : undefined;
  if (!simulated) return () => new Date();
  const offset = simulated.getTime() - Date.now();
  return () => new Date(Date.now() + offset);
}

/**
 * The Lambda entry point: reads the event, loads the configuration, runs the chosen strategy and
 * returns the run's result. Throws only when the event or the configuration is unusable.
 */
export async function handler(event: unknown, context?: Partial<Context>): Promise<RunResult> {
  const request = parseEvent(event);
  const config = await loadConfig(settings, parameters);
  redactor.use(secretsOf(config), visibleNamesOf(config));
  const ledgerTable = settings.ledgerTable ?? config.ledger?.table;
  requireLedgerForNotices(config, ledgerTable);
  const strategy = request.strategy ?? settings.strategy ?? config.strategy;
  const runLog = log.child({ requestId: context?.awsRequestId });
  const remainingMs = context?.getRemainingTimeInMillis?.bind(context);
  const result = await runReminders(
    { config, reference: request.reference ?? new Date(), strategy, dryRun: request.dryRun },
    {
      fetcher: fetcherFor(config),
      poster: createSlackPoster({ webhooks: config.webhooks }),
      tracer: redactingTracer(await tracing.forInvocation(), redactor),
      log: runLog,
      clock: messageClock(request),
      ledger: selectLedger(ledgerTable, config.ledger?.catchUpMinutes),
      snapshots: config.notices || config.feeds.some((feed) => feed.notices) ? selectSnapshotStore(ledgerTable) : undefined,
      delivery: { ...(remainingMs ? { remainingMs } : {}) },
      ...(remainingMs ? { remainingMs } : {}),
    },
  ).finally(() => tracing.flush());
  const redacted = redactor.redactDeep(result);
  publishRunMetrics(redacted, metricsSink);
  return redacted;
}

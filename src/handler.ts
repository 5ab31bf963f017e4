import type { Context } from "aws-lambda";
import type { Config } from "./config/schema.ts";
import { readSettings, type Settings } from "./config/settings.ts";
import { loadConfig } from "./config/source.ts";
import { createParameterStore, type SsmModule } from "./config/ssm.ts";
import { parseEvent, type RunRequest } from "./event.ts";
import { createFeedFetcher, FeedCache, type FeedFetcher } from "./feeds/fetch.ts";
import { type DynamoModule, sharedDynamo } from "./ledger/client.ts";
import { createLedgerSelector } from "./ledger/select.ts";
import { createSnapshotStoreSelector } from "./ledger/snapshots-select.ts";
import { createLogger } from "./log.ts";
import { fileDescriptorSink, publishRunMetrics } from "./metrics.ts";
import { requireLedgerForNotices } from "./notices/config.ts";
import type { Snapshot } from "./notices/snapshot.ts";
import type { RunResult } from "./run/result.ts";
import { runReminders } from "./run/run.ts";
import { SecretRedactor, secretsOf, visibleNamesOf } from "./secrets/redact.ts";
import { redactingTracer } from "./secrets/redacting-tracer.ts";
import { createSlackPoster } from "./slack/webhook.ts";
import { mapStackTracesLazily } from "./source-maps.ts";
import { selectTracing } from "./tracing/select.ts";

// The deployed bundle's stack traces name TypeScript positions, its source map read only when needed.
mapStackTracesLazily(import.meta.url);

/** The Lambda entry point's type: an event and Lambda's context in, the run's result out. */
export type Handler = (event: unknown, context?: Partial<Context>) => Promise<RunResult>;

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
 * The AWS SDK clients a handler may use, each loaded the way its entry point chooses: the deployed
 * function (src/lambda.ts) imports them with itself, which Lambda does while it initialises the
 * container and which lets esbuild keep only what they use; a run from source (src/local.ts)
 * imports each when a configuration first names a parameter or a table, so a run with neither
 * never loads the AWS SDK. No module of the function's bundle imports them dynamically: esbuild
 * keeps the whole of a package reached that way.
 */
export interface AwsModules {
  /** Powertools' SSM provider, for CONFIG_PARAMETER and `ssm:/` references. */
  ssm(): Promise<SsmModule>;
  /** The DynamoDB client, ledger and snapshot store, for a ledger table. */
  dynamo(): Promise<DynamoModule>;
}

/**
 * A handler for these settings, with what warm invocations share: the logger, the SSM cache, the
 * feeds' validators and parsed calendars (unchanged feeds answer 304 next time), one feed fetcher
 * per set of download limits, the ledger and snapshot stores (on one DynamoDB client), the tracing
 * backend. `aws` loads the AWS SDK clients (see `AwsModules`). `env` is read by the tracing backend
 * (`TRACING`, Lambda's trace header of each invocation).
 *
 * The handler reads the event, loads the configuration, runs the chosen strategy and returns the
 * run's result. It throws only when the event or the configuration is unusable.
 */
export function createHandler(
  settings: Settings,
  aws: AwsModules,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Handler {
  const redactor = new SecretRedactor();
  const log = createLogger(settings.logLevel, redactor.redact);
  const parameters = createParameterStore(aws.ssm, { maxAgeSeconds: settings.parametersMaxAgeSeconds });
  const tracing = selectTracing(env);
  const feedCache = new FeedCache();
  const metricsSink = fileDescriptorSink(settings.metricsFd);
  // One DynamoDB client for the ledger and the snapshots: one client built, one pool of connections.
  const dynamo = sharedDynamo(aws.dynamo);
  const selectLedger = createLedgerSelector(dynamo);
  const selectSnapshotStore = createSnapshotStoreSelector<Snapshot>(dynamo);
  const fetchers = new Map<string, FeedFetcher>();

  /** One fetcher per set of download limits, so a configuration change gets its own. */
  function fetcherFor(limits: Config["fetch"]): FeedFetcher {
    const key = `${limits.timeoutSeconds}/${limits.maxBytes}/${limits.attempts}`;
    let fetcher = fetchers.get(key);
    if (!fetcher) {
      fetcher = createFeedFetcher({
        timeoutMs: limits.timeoutSeconds * 1000,
        maxBytes: limits.maxBytes,
        attempts: limits.attempts,
        cache: feedCache,
        ...(settings.runtimeApi ? { runtimeApi: settings.runtimeApi } : {}),
      });
      fetchers.set(key, fetcher);
    }
    return fetcher;
  }

  return async (event, context) => {
    const request = parseEvent(event);
    const config = await loadConfig(settings, parameters);
    redactor.use(secretsOf(config), visibleNamesOf(config));
    const ledgerTable = settings.ledgerTable ?? config.ledger?.table;
    requireLedgerForNotices(config, ledgerTable);
    const remainingMs = context?.getRemainingTimeInMillis?.bind(context);
    const result = await runReminders(
      {
        config,
        reference: request.reference ?? new Date(),
        strategy: request.strategy ?? settings.strategy ?? config.strategy,
        dryRun: request.dryRun,
      },
      {
        fetcher: fetcherFor(config.fetch),
        poster: createSlackPoster({ webhooks: config.webhooks }),
        tracer: redactingTracer(await tracing.forInvocation(), redactor),
        log: log.child({ requestId: context?.awsRequestId }),
        clock: messageClock(request),
        ledger: selectLedger(ledgerTable, config.ledger?.catchUpMinutes),
        snapshots: config.feeds.some((feed) => feed.notices) ? selectSnapshotStore(ledgerTable) : undefined,
        delivery: { ...(remainingMs ? { remainingMs } : {}) },
        ...(remainingMs ? { remainingMs } : {}),
      },
    ).finally(() => tracing.flush());
    const redacted = redactor.redactDeep(result);
    publishRunMetrics(redacted, metricsSink);
    return redacted;
  };
}

/**
 * The handler of an entry point's container, for the environment it runs in (see `createHandler`).
 * Made once, at the entry point's module load, as Lambda loads it once per container: warm
 * invocations share it, and a variable it cannot use fails every invocation.
 */
export function containerHandler(aws: AwsModules): Handler {
  return createHandler(readSettings(process.env), aws);
}

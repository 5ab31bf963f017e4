import { parseConfig } from "../../../src/config/load.ts";
import { createFeedFetcher, type FeedFetcher } from "../../../src/feeds/fetch.ts";
import type { Ledger } from "../../../src/ledger/ledger.ts";
import { type Logger, silentLogger } from "../../../src/log.ts";
import type { RunResult } from "../../../src/run/result.ts";
import { type RunEdges, runReminders } from "../../../src/run/run.ts";
import { createSlackPoster } from "../../../src/slack/webhook.ts";
import { noTracer } from "../../../src/tracing/tracer.ts";
import { virtualTime } from "../../support/virtual-time.ts";
import type { ChildRun } from "../support/child.ts";
import { REFERENCE } from "../support/ics.ts";

/**
 * How a case is run: `test`, with Slack's pace lifted and short limits where the case is not
 * about them, so the suite runs in seconds; `bench`, with the product's default limits and
 * real waits, to measure it.
 */
export type CaseMode = "test" | "bench";

/** The timeout of the deployed function (template.yaml): every run of the suite must end before it. */
export const FUNCTION_TIMEOUT_MS = 60_000;

/** Slack's pace lifted: a test of how delivery scales should not wait a second per message. */
export const LIFTED_PACE = { burst: 100_000, intervalMs: 1 };

/** A child run of `config` (an object, written as a configuration file) at the suite's reference time. */
export function childRun(config: object, extra: Partial<ChildRun> = {}): ChildRun {
  return { config: JSON.stringify(config), reference: REFERENCE.toISOString(), timeoutMs: FUNCTION_TIMEOUT_MS, ...extra };
}

/** What an in-process run of a case needs besides its configuration. */
export interface InProcessRun {
  /** The configuration, as JSON text. */
  config: string;
  reference: Date;
  /** The ledger's store; without one the run has none. */
  ledger?: Ledger;
  attemptTimeoutMs?: number;
  /** Default: one that takes 2 s at most per feed and tries once. */
  fetcher?: FeedFetcher;
  /** Default: silent. */
  log?: Logger;
}

/**
 * One run in the test's own process, wired as the handler wires it, with Slack's pace on virtual
 * time (a wait moves the clock at once) and posts on real time: what Slack takes long to answer
 * takes that long.
 */
export async function runInProcess(run: InProcessRun): Promise<RunResult> {
  const config = await parseConfig(run.config, "fault case");
  const time = virtualTime();
  const edges: RunEdges = {
    fetcher: run.fetcher ?? createFeedFetcher({ timeoutMs: 2_000, maxBytes: 1_000_000, attempts: 1 }),
    poster: createSlackPoster({ webhooks: config.webhooks, timeoutMs: 60_000 }),
    tracer: noTracer,
    log: run.log ?? silentLogger(),
    clock: () => run.reference,
    ...(run.ledger ? { ledger: { store: run.ledger, catchUpMinutes: config.ledger?.catchUpMinutes ?? 15 } } : {}),
    delivery: { now: time.now, sleep: time.sleep, ...(run.attemptTimeoutMs ? { attemptTimeoutMs: run.attemptTimeoutMs } : {}) },
  };
  return runReminders({ config, reference: run.reference, strategy: "pipelined", dryRun: false }, edges);
}

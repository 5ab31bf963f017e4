import { finished } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { Dispatcher } from "undici";
import type { ParsedCalendar } from "../calendar/expand.ts";
import type { FeedInput } from "../calendar/octets.ts";
import { FeedFetchError } from "../errors.ts";
import {
  guardedLookup,
  INTERNAL_REFUSAL,
  type RedirectGuard,
  type Resolve,
  redirectGuard,
  refusedTarget,
  resolveHost,
} from "./addresses.ts";
import { type CachedFeed, FeedCache } from "./cache.ts";
import { decodeFeed } from "./decode.ts";
import { createFeedConnections, createFeedDispatcher, type FeedConnections, sharedOrigins } from "./dispatcher.ts";
import { errorCode, hostOf, networkFailure, seconds, statusHint, tooLarge } from "./failures.ts";
import { isRedirect, isRetryableNetworkError, isRetryableStatus, MAX_REDIRECTS, redirectTarget, retryDelayMs } from "./policy.ts";
import { request } from "./undici.ts";

/** A calendar downloaded in full. */
export interface DownloadedFeed {
  unchanged?: false;
  /** The feed as `decodeFeed` hands it to the engine: its UTF-8 bytes, or text decoded from its charset. */
  text: FeedInput;
  /** Bytes received, after decompression. */
  bytes: number;
  status: number;
  /**
   * Remembers the parsed calendar with the server's validators (ETag, Last-Modified), so the next
   * run asks "changed since?" and reuses it on a 304. Call it only once the text parsed. Absent
   * when nothing is cached (no cache, or a fake fetcher).
   */
  cacheForRevalidation?(calendar: ParsedCalendar): void;
}

/** The server answered 304 Not Modified: the calendar read last time still holds. */
export interface UnchangedFeed {
  unchanged: true;
  calendar: ParsedCalendar;
  bytes: 0;
  status: 304;
}

export type FeedBody = DownloadedFeed | UnchangedFeed;

/** What `fetchFeed` needs to know of a feed. */
export interface FeedSource {
  id: string;
  url: string;
}

/** Downloads feeds. The strategies see only this. */
export interface FeedFetcher {
  /**
   * @param signal cancels the download (the run is out of time).
   * @throws FeedFetchError naming the feed by id and host, never by its (secret) URL.
   */
  fetchFeed(feed: FeedSource, signal?: AbortSignal): Promise<FeedBody>;
}

export interface FeedFetcherOptions {
  /** Longest wait to connect, for response headers, and between two chunks of the body. */
  timeoutMs: number;
  /**
   * Longest time one feed may take in all: redirects, retries and their waits, and the whole body.
   * This is what stops a body that trickles in forever, which the between-chunks timeout never
   * catches. Default: twice `timeoutMs`.
   */
  deadlineMs?: number;
  /** Reading stops, and the feed fails, past this many bytes (after decompression). */
  maxBytes: number;
  /** Tries in all, for 429, 5xx and dropped connections. */
  attempts: number;
  /** First retry delay, doubled each time, unless the server sends Retry-After. Default 500. */
  retryDelayMs?: number;
  /** Waits before a retry; tests hand in one that records the wait and returns at once. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Validators and parsed calendars kept across warm invocations. */
  cache?: FeedCache;
  /** Connections kept per origin. Default 8. */
  connectionsPerOrigin?: number;
  /** Extra certificate authority to trust (PEM). */
  ca?: string;
  /** Replaces the shared dispatcher. */
  dispatcher?: Dispatcher;
  /**
   * Resolves the configured URL's host, to tell whether the feed lives on a public address (then
   * its redirects may lead only to public ones) or an internal one its owner chose. Default
   * `dns.lookup`; tests hand in one that calls a loopback server public.
   */
  resolve?: Resolve;
  /** `host:port` of the Lambda runtime API (`AWS_LAMBDA_RUNTIME_API`): no redirect may lead there. */
  runtimeApi?: string;
}

const HEADERS = {
  accept: "text/calendar, text/plain;q=0.5, */*;q=0.1",
  "accept-encoding": "gzip, deflate, br",
  "user-agent": "ical-slack-reminder",
};

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** What a fetcher uses for every feed, settled once from its options. */
interface Fetching {
  /** The dispatchers the configured URL is asked through. */
  connections: FeedConnections;
  /** Redirect hops connect through dispatchers whose DNS lookup refuses what the guard forbids. */
  guarded: Record<RedirectGuard, Dispatcher>;
  resolve: Resolve;
  runtimeApi: string | undefined;
  timeoutMs: number;
  deadlineMs: number;
  maxBytes: number;
  attempts: number;
  baseDelayMs: number;
  wait: (ms: number, signal: AbortSignal) => Promise<void>;
  cache: FeedCache | undefined;
}

function fetchingOf(options: FeedFetcherOptions): Fetching {
  const ca = options.ca ? { ca: options.ca } : {};
  const connections = options.dispatcher
    ? sharedOrigins(options.dispatcher, options.dispatcher)
    : createFeedConnections({
        timeoutMs: options.timeoutMs,
        ...(options.connectionsPerOrigin ? { connectionsPerOrigin: options.connectionsPerOrigin } : {}),
        ...ca,
      });
  const guarded = (guard: RedirectGuard) =>
    options.dispatcher ?? createFeedDispatcher({ timeoutMs: options.timeoutMs, ...ca, lookup: guardedLookup(guard) });
  return {
    connections,
    guarded: { "public-only": guarded("public-only"), "no-metadata": guarded("no-metadata") },
    resolve: options.resolve ?? resolveHost,
    runtimeApi: options.runtimeApi,
    timeoutMs: options.timeoutMs,
    deadlineMs: options.deadlineMs ?? 2 * options.timeoutMs,
    maxBytes: options.maxBytes,
    attempts: options.attempts,
    baseDelayMs: options.retryDelayMs ?? 500,
    wait: options.wait ?? ((ms: number, signal: AbortSignal) => sleep(ms, undefined, { signal })),
    cache: options.cache,
  };
}

/**
 * Builds the feed fetcher on one shared undici dispatcher (keep-alive, bounded connections,
 * timeouts, decompression). Build it once per container and reuse it across warm invocations.
 */
export function createFeedFetcher(options: FeedFetcherOptions): FeedFetcher {
  const fetching = fetchingOf(options);
  return {
    async fetchFeed(feed, signal) {
      const started = performance.now();
      const deadline = AbortSignal.timeout(fetching.deadlineMs);
      const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
      try {
        return await downloadFeed({ fetching, feed, signal: combined, started });
      } catch (error) {
        throw stoppedDownload(fetching, feed, error, deadline, signal);
      }
    },
  };
}

/** One feed's download: what each of its requests needs. */
interface Download {
  fetching: Fetching;
  feed: FeedSource;
  /** The run's signal and the feed's deadline in one. */
  signal: AbortSignal;
  /** `performance.now()` when the download began: the deadline counts from there. */
  started: number;
}

/** Where a feed's download has got to. */
interface Progress {
  /** The address asked next, without credentials: the configured one, or where a redirect led. */
  url: URL;
  redirects: number;
  /** The try being made, counted from 1 across redirects: `attempts` bounds them all. */
  attempt: number;
  /** Set at the first redirect, from the address the configured URL stands for. */
  guard: RedirectGuard | undefined;
  /** The host whose redirect led to `url`; empty before any redirect. */
  redirectedFrom: string;
}

/**
 * Asks for the feed until an answer ends it: follows redirects and retries failures worth another
 * try, each by its own rule below.
 */
async function downloadFeed(download: Download): Promise<FeedBody> {
  const { fetching, feed, signal } = download;
  const cached = fetching.cache?.get(feed.url);
  const configured = new URL(feed.url);
  // `https://user:pass@host/…` (how Nextcloud and other CalDAV servers share a private
  // calendar) is HTTP Basic authentication; fetch-style clients refuse credentials in a URL.
  const authorization = basicAuthorization(configured);
  const conditional = conditionalHeaders(cached);
  let progress: Progress = { url: withoutCredentials(configured), redirects: 0, attempt: 1, guard: undefined, redirectedFrom: "" };
  const lease = fetching.connections.lease(configured.origin);
  try {
    for (;;) {
      const { url, guard } = progress;
      // The credentials go to the configured origin only, never to where a redirect leads.
      const auth = authorization && url.origin === configured.origin ? { authorization } : {};
      const dispatcher = guard ? fetching.guarded[guard] : lease.dispatcher;
      let response: Dispatcher.ResponseData;
      try {
        response = await request(url, { method: "GET", dispatcher, signal, headers: { ...HEADERS, ...conditional, ...auth } });
      } catch (error) {
        progress = await retryAfterNetworkError(download, progress, error);
        continue;
      }
      if (isRedirect(response.statusCode)) {
        progress = await followRedirect(download, progress, response);
      } else if (isRetryableStatus(response.statusCode)) {
        progress = await retryAfterStatus(download, progress, response);
      } else {
        return await finalAnswer(download, hostOf(url), response, cached);
      }
    }
  } finally {
    lease.release();
  }
}

/**
 * After a request that failed below HTTP: the progress of another try, once its wait is over, or
 * the failure. A connection the redirect guard refused is never tried again.
 */
async function retryAfterNetworkError({ fetching, feed, signal }: Download, progress: Progress, error: unknown): Promise<Progress> {
  const { url, attempt } = progress;
  const code = errorCode(error);
  if (code === "ERR_INTERNAL_ADDRESS") throw internalRedirect(feed.id, progress.redirectedFrom, url, error);
  if (!signal.aborted && isRetryableNetworkError(code) && attempt < fetching.attempts) {
    await fetching.wait(retryDelayMs(attempt, undefined, Date.now(), fetching.baseDelayMs), signal);
    return { ...progress, attempt: attempt + 1 };
  }
  // Named by the host of this hop (a redirect may have led elsewhere), with the attempts it
  // took, as an HTTP failure is. Aborts are explained by the caller.
  if (!signal.aborted) throw networkFailure(feed.id, hostOf(url), error, fetching.timeoutMs, attempt);
  throw error;
}

/**
 * After a redirect: the progress towards where it leads, or the refusal — a loop, a target the
 * policy does not follow (`redirectTarget`), or one the guard does not let the feed reach.
 */
async function followRedirect({ fetching, feed }: Download, progress: Progress, response: Dispatcher.ResponseData): Promise<Progress> {
  const status = response.statusCode;
  const host = hostOf(progress.url);
  await response.body.dump();
  const redirects = progress.redirects + 1;
  if (redirects > MAX_REDIRECTS) {
    throw new FeedFetchError(
      feed.id,
      `${host} redirected more than ${MAX_REDIRECTS} times (a redirect loop?); use the calendar's final address`,
      { status },
    );
  }
  const decision = redirectTarget(progress.url, header(response.headers, "location"));
  if ("refuse" in decision) throw new FeedFetchError(feed.id, `${host} ${decision.refuse}`, { status });
  const guard = progress.guard ?? (await redirectGuard(new URL(feed.url), fetching.resolve));
  const refused = refusedTarget(decision.follow, guard, fetching.runtimeApi);
  if (refused) throw new FeedFetchError(feed.id, `${host} redirected to ${decision.follow.host}, ${refused}`, { status });
  return { ...progress, url: withoutCredentials(decision.follow), redirects, guard, redirectedFrom: host };
}

/**
 * After 429 or a 5xx: the progress of another try, once the wait the server asked for (or our
 * backoff) is over; the failure when the tries are used up or the wait would outlast the deadline.
 */
async function retryAfterStatus(download: Download, progress: Progress, response: Dispatcher.ResponseData): Promise<Progress> {
  const { fetching, feed, signal, started } = download;
  const { attempt } = progress;
  const status = response.statusCode;
  const host = hostOf(progress.url);
  await response.body.dump();
  if (attempt >= fetching.attempts) {
    throw new FeedFetchError(
      feed.id,
      `HTTP ${status} from ${host} after ${attempt} attempts; the server is failing or rate-limiting, it will be tried again next run`,
      { status, transient: true },
    );
  }
  const delay = retryDelayMs(attempt, header(response.headers, "retry-after"), Date.now(), fetching.baseDelayMs);
  const left = fetching.deadlineMs - (performance.now() - started);
  if (delay >= left) {
    throw new FeedFetchError(
      feed.id,
      `HTTP ${status} from ${host}; it asked to wait ${seconds(delay)} before trying again, longer than the ${seconds(Math.max(0, left))} ` +
        `left of the ${seconds(fetching.deadlineMs)} a feed may take; it will be tried again next run`,
      { status, transient: true },
    );
  }
  await fetching.wait(delay, signal);
  return { ...progress, attempt: attempt + 1 };
}

/** The answer that ends a download: the calendar, a 304 for the one cached, or an error status. */
async function finalAnswer(
  { fetching, feed }: Download,
  host: string,
  response: Dispatcher.ResponseData,
  cached: CachedFeed | undefined,
): Promise<FeedBody> {
  const status = response.statusCode;
  if (status === 304) {
    await response.body.dump();
    if (cached) return { unchanged: true, calendar: cached.calendar, bytes: 0, status: 304 };
    throw new FeedFetchError(feed.id, `${host} answered 304 Not Modified to a request that was not conditional`, { status });
  }
  if (status >= 300) {
    await response.body.dump();
    throw new FeedFetchError(feed.id, `HTTP ${status} from ${host}${statusHint(status)}`, { status });
  }
  const { text, bytes } = await readBody(response, fetching.maxBytes, () => tooLarge(feed.id, host, fetching.maxBytes));
  return { unchanged: false, text, bytes, status, cacheForRevalidation: revalidationCache(fetching.cache, feed.url, response, bytes) };
}

/** The headers that ask "changed since?" about the version cached, if one is. */
function conditionalHeaders(cached: CachedFeed | undefined): Record<string, string> {
  const conditional: Record<string, string> = {};
  if (cached?.etag) conditional["if-none-match"] = cached.etag;
  if (cached?.lastModified) conditional["if-modified-since"] = cached.lastModified;
  return conditional;
}

/**
 * A downloaded feed's `cacheForRevalidation`: caches the parsed calendar with the validators the answer carried,
 * or forgets the feed when it carried none (nothing to ask "changed since?" with).
 */
function revalidationCache(
  cache: FeedCache | undefined,
  url: string,
  response: Dispatcher.ResponseData,
  bytes: number,
): (calendar: ParsedCalendar) => void {
  const etag = header(response.headers, "etag");
  const lastModified = header(response.headers, "last-modified");
  return (calendar) => {
    if (!cache) return;
    if (etag === undefined && lastModified === undefined) cache.delete(url);
    else cache.set(url, { etag, lastModified, calendar, bytes });
  };
}

/**
 * The FeedFetchError for whatever stopped a download without one: the feed's own deadline, the
 * run's signal, or a failure below HTTP.
 */
function stoppedDownload(
  fetching: Fetching,
  feed: FeedSource,
  error: unknown,
  deadline: AbortSignal,
  signal: AbortSignal | undefined,
): FeedFetchError {
  if (error instanceof FeedFetchError) return error;
  const host = hostOf(feed.url);
  if (deadline.aborted) {
    return new FeedFetchError(
      feed.id,
      `${host} did not deliver the calendar within ${seconds(fetching.deadlineMs)} (too slow, or a body that never ends); it will be tried again next run`,
      { cause: error, transient: true },
    );
  }
  if (signal?.aborted) {
    return new FeedFetchError(feed.id, `download from ${host} stopped: the run ran out of time`, { cause: error, transient: true });
  }
  return networkFailure(feed.id, host, error, fetching.timeoutMs);
}

function basicAuthorization(url: URL): string | undefined {
  if (!url.username && !url.password) return undefined;
  const user = decodedOrAsIs(url.username);
  const password = decodedOrAsIs(url.password);
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

/**
 * The user or password of a URL, percent-decoded; as written when it is not valid percent-encoding
 * (a password `50%off`), which is what its owner typed.
 */
function decodedOrAsIs(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function withoutCredentials(url: URL): URL {
  if (!url.username && !url.password) return url;
  const bare = new URL(url);
  bare.username = "";
  bare.password = "";
  return bare;
}

function internalRedirect(feedId: string, from: string, to: URL, error: unknown): FeedFetchError {
  return new FeedFetchError(feedId, `${from || hostOf(to)} redirected to ${to.host}, ${INTERNAL_REFUSAL}`, { cause: error });
}

/**
 * Reads a body as UTF-8 text, stopping as soon as it passes `maxBytes` (counted after
 * decompression, so a small gzip bomb is caught as well as a large plain body).
 */
async function readBody(
  response: Dispatcher.ResponseData,
  maxBytes: number,
  tooLargeError: () => Error,
): Promise<{ text: FeedInput; bytes: number }> {
  // A compressed body's declared length is smaller than what it inflates to: this check only
  // saves reading what is too large already on the wire. The count below is the real limit.
  const declared = Number(header(response.headers, "content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    response.body.destroy();
    throw tooLargeError();
  }
  // Read by its events rather than `for await`: an async iterator costs a promise and a generator
  // step per chunk, which a thousand feeds a run pay for nothing.
  const body = response.body;
  const chunks: Buffer[] = [];
  let bytes = 0;
  let over = false;
  const ended = finished(body);
  body.on("data", (chunk: Buffer) => {
    if (over) return;
    bytes += chunk.length;
    if (bytes > maxBytes) {
      over = true;
      body.destroy();
      return;
    }
    chunks.push(chunk);
  });
  try {
    await ended;
  } catch (error) {
    // Cut short here: the stream ends as closed before its end, which is the size's doing.
    if (over) throw tooLargeError();
    throw error;
  }
  if (over) throw tooLargeError();
  return { text: decodeFeed(Buffer.concat(chunks), header(response.headers, "content-type")), bytes };
}

export { FeedCache, hostOf };

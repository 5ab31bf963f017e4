import { setTimeout as sleep } from "node:timers/promises";
import type { Dispatcher } from "undici";
import type { ParsedCalendar } from "../calendar/expand.ts";
import { FeedFetchError } from "../errors.ts";
import { FeedCache } from "./cache.ts";
import { allowed, guardedLookup, isIpLiteral, isPublicAddress, type RedirectGuard, resolveHost, type Resolve } from "./addresses.ts";
import { decodeFeed } from "./decode.ts";
import { createFeedDispatcher } from "./dispatcher.ts";
import { request } from "./undici.ts";
import { errorCode, hostOf, networkFailure, seconds, statusHint, tooLarge } from "./failures.ts";
import { isRedirect, isRetryableNetworkError, isRetryableStatus, MAX_REDIRECTS, redirectTarget, retryDelayMs } from "./policy.ts";

/** A calendar downloaded in full. */
export interface DownloadedFeed {
  unchanged?: false;
  text: string;
  /** Bytes received, after decompression. */
  bytes: number;
  status: number;
  /**
   * Remembers the parsed calendar with the server's validators (ETag, Last-Modified), so the next
   * run asks "changed since?" and reuses it on a 304. Call it only once the text parsed. Absent
   * when nothing is cached (no cache, or a fake fetcher).
   */
  keep?(calendar: ParsedCalendar): void;
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

/**
 * Builds the feed fetcher on one shared undici dispatcher (keep-alive, bounded connections,
 * timeouts, decompression). Build it once per container and reuse it across warm invocations.
 */
export function createFeedFetcher(options: FeedFetcherOptions): FeedFetcher {
  const dispatcher =
    options.dispatcher ??
    createFeedDispatcher({
      timeoutMs: options.timeoutMs,
      ...(options.connectionsPerOrigin ? { connectionsPerOrigin: options.connectionsPerOrigin } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
    });
  // Redirect hops connect through dispatchers whose DNS lookup refuses what the guard forbids.
  const guarded: Record<RedirectGuard, Dispatcher> = {
    "public-only": options.dispatcher ?? createFeedDispatcher({ timeoutMs: options.timeoutMs, ...(options.ca ? { ca: options.ca } : {}), lookup: guardedLookup("public-only") }),
    "no-metadata": options.dispatcher ?? createFeedDispatcher({ timeoutMs: options.timeoutMs, ...(options.ca ? { ca: options.ca } : {}), lookup: guardedLookup("no-metadata") }),
  };
  const resolve = options.resolve ?? resolveHost;
  const deadlineMs = options.deadlineMs ?? 2 * options.timeoutMs;
  const baseDelayMs = options.retryDelayMs ?? 500;
  const wait = options.wait ?? ((ms: number, signal: AbortSignal) => sleep(ms, undefined, { signal }));
  const cache = options.cache;

  async function download(feed: FeedSource, signal: AbortSignal, started: number): Promise<FeedBody> {
    const cached = cache?.get(feed.url);
    let url = new URL(feed.url);
    // `https://user:pass@host/…` (how Nextcloud and other CalDAV servers share a private
    // calendar) is HTTP Basic authentication; fetch-style clients refuse credentials in a URL.
    const origin = url.origin;
    const authorization = basicAuthorization(url);
    url = withoutCredentials(url);
    let redirects = 0;
    let attempt = 1;
    /** Set at the first redirect, from the address the configured URL stands for. */
    let guard: RedirectGuard | undefined;
    let redirectedFrom = "";
    for (;;) {
      const conditional: Record<string, string> = {};
      if (cached?.etag) conditional["if-none-match"] = cached.etag;
      if (cached?.lastModified) conditional["if-modified-since"] = cached.lastModified;
      let response: Dispatcher.ResponseData;
      try {
        // The credentials go to the configured origin only, never to where a redirect leads.
        const auth = authorization && url.origin === origin ? { authorization } : {};
        response = await request(url, { method: "GET", dispatcher: guard ? guarded[guard] : dispatcher, signal, headers: { ...HEADERS, ...conditional, ...auth } });
      } catch (error) {
        const code = errorCode(error);
        if (code === "ERR_INTERNAL_ADDRESS") throw internalRedirect(feed.id, redirectedFrom, url, error);
        if (!signal.aborted && isRetryableNetworkError(code) && attempt < options.attempts) {
          await wait(retryDelayMs(attempt, undefined, Date.now(), baseDelayMs), signal);
          attempt += 1;
          continue;
        }
        // Named by the host of this hop (a redirect may have led elsewhere), with the attempts it
        // took, as an HTTP failure is. Aborts are explained by the caller.
        if (!signal.aborted) throw networkFailure(feed.id, hostOf(url), error, options.timeoutMs, attempt);
        throw error;
      }
      const status = response.statusCode;
      const host = hostOf(url);

      if (isRedirect(status)) {
        await response.body.dump();
        redirects += 1;
        if (redirects > MAX_REDIRECTS) {
          throw new FeedFetchError(feed.id, `${host} redirected more than ${MAX_REDIRECTS} times (a redirect loop?); use the calendar's final address`, { status });
        }
        const decision = redirectTarget(url, header(response.headers, "location"));
        if ("refuse" in decision) throw new FeedFetchError(feed.id, `${host} ${decision.refuse}`, { status });
        guard ??= await guardFor(new URL(feed.url));
        const refused = refusedTarget(decision.follow, guard);
        if (refused) throw new FeedFetchError(feed.id, `${host} redirected to ${decision.follow.host}, ${refused}`, { status });
        redirectedFrom = host;
        url = withoutCredentials(decision.follow);
        continue;
      }

      if (status === 304) {
        await response.body.dump();
        if (cached) return { unchanged: true, calendar: cached.calendar, bytes: 0, status: 304 };
        throw new FeedFetchError(feed.id, `${host} answered 304 Not Modified to a request that was not conditional`, { status });
      }

      if (isRetryableStatus(status)) {
        await response.body.dump();
        if (attempt >= options.attempts) {
          throw new FeedFetchError(feed.id, `HTTP ${status} from ${host} after ${attempt} attempts; the server is failing or rate-limiting, it will be tried again next run`, { status, transient: true });
        }
        const delay = retryDelayMs(attempt, header(response.headers, "retry-after"), Date.now(), baseDelayMs);
        const left = deadlineMs - (performance.now() - started);
        if (delay >= left) {
          throw new FeedFetchError(feed.id, `HTTP ${status} from ${host}; it asked to wait ${seconds(delay)} before trying again, longer than the ${seconds(deadlineMs)} a feed may take; it will be tried again next run`, { status, transient: true });
        }
        await wait(delay, signal);
        attempt += 1;
        continue;
      }

      if (status >= 300) {
        await response.body.dump();
        throw new FeedFetchError(feed.id, `HTTP ${status} from ${host}${statusHint(status)}`, { status });
      }

      const { text, bytes } = await readBody(response, options.maxBytes, () => tooLarge(feed.id, host, options.maxBytes));
      const etag = header(response.headers, "etag");
      const lastModified = header(response.headers, "last-modified");
      return {
        unchanged: false,
        text,
        bytes,
        status,
        keep(calendar) {
          if (!cache) return;
          if (etag === undefined && lastModified === undefined) cache.delete(feed.url);
          else cache.set(feed.url, { etag, lastModified, calendar, bytes });
        },
      };
    }
  }

  /** A feed on a public address may be redirected only to public ones; any feed never to metadata. */
  async function guardFor(configured: URL): Promise<RedirectGuard> {
    try {
      const addresses = await resolve(configured.hostname);
      return addresses.length > 0 && addresses.every(isPublicAddress) ? "public-only" : "no-metadata";
    } catch {
      return "public-only";
    }
  }

  /** Why a redirect target is refused before connecting (an IP literal, the runtime API), if it is. */
  function refusedTarget(target: URL, guard: RedirectGuard): string | undefined {
    const literal = target.hostname.replace(/^\[|\]$/g, "");
    const port = target.port || (target.protocol === "https:" ? "443" : "80");
    if (options.runtimeApi) {
      const [apiHost, apiPort] = options.runtimeApi.split(/:(?=\d+$)/);
      const local = literal === "localhost" || !isPublicAddress(literal);
      if (port === apiPort && (literal === apiHost || local)) return INTERNAL_REFUSAL;
    }
    // net.connect does not look up an IP literal, so the connect-time check never sees it.
    if (isIpLiteral(literal) && !allowed(literal, guard)) return INTERNAL_REFUSAL;
    return undefined;
  }

  return {
    async fetchFeed(feed, signal) {
      const started = performance.now();
      const deadline = AbortSignal.timeout(deadlineMs);
      const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
      try {
        return await download(feed, combined, started);
      } catch (error) {
        if (error instanceof FeedFetchError) throw error;
        const host = hostOf(feed.url);
        if (deadline.aborted) {
          throw new FeedFetchError(feed.id, `${host} did not deliver the calendar within ${seconds(deadlineMs)} (too slow, or a body that never ends); it will be tried again next run`, { cause: error, transient: true });
        }
        if (signal?.aborted) {
          throw new FeedFetchError(feed.id, `download from ${host} stopped: the run ran out of time`, { cause: error, transient: true });
        }
        throw networkFailure(feed.id, host, error, options.timeoutMs);
      }
    },
  };
}

function basicAuthorization(url: URL): string | undefined {
  if (!url.username && !url.password) return undefined;
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

function withoutCredentials(url: URL): URL {
  if (!url.username && !url.password) return url;
  const bare = new URL(url);
  bare.username = "";
  bare.password = "";
  return bare;
}

const INTERNAL_REFUSAL =
  "an internal address; refused: a calendar server's redirect may not lead into the network the function runs in (loopback, private, link-local, metadata). Use the calendar's final public address";

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
): Promise<{ text: string; bytes: number }> {
  // A compressed body's declared length is smaller than what it inflates to: this check only
  // saves reading what is too large already on the wire. The count below is the real limit.
  const declared = Number(header(response.headers, "content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    response.body.destroy();
    throw tooLargeError();
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of response.body) {
    bytes += (chunk as Buffer).length;
    if (bytes > maxBytes) {
      response.body.destroy();
      throw tooLargeError();
    }
    chunks.push(chunk as Buffer);
  }
  return { text: decodeFeed(Buffer.concat(chunks), header(response.headers, "content-type")), bytes };
}

export { FeedCache, hostOf };

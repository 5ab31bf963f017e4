import { Agent, type Dispatcher, errors, interceptors, request } from "undici";
import { FeedFetchError } from "../errors.ts";

/** A downloaded calendar. */
export interface FeedBody {
  text: string;
  /** Bytes received on the wire after decompression. */
  bytes: number;
  status: number;
}

/** What `fetchFeed` needs to know of a feed. */
export interface FeedSource {
  id: string;
  url: string;
}

/** Downloads feeds. The strategies see only this. */
export interface FeedFetcher {
  /** @throws FeedFetchError naming the feed by id and host, never by its (secret) URL. */
  fetchFeed(feed: FeedSource, signal?: AbortSignal): Promise<FeedBody>;
}

export interface FeedFetcherOptions {
  /** Longest wait for response headers, and between two chunks of the body. */
  timeoutMs: number;
  /** Bodies larger than this are refused without being read to the end. */
  maxBytes: number;
  /** Tries in all, for 429, 5xx and network errors. */
  attempts: number;
  /** First retry delay; doubled each time. Tests set 0. */
  retryDelayMs?: number;
  /** Connections kept per origin. */
  connectionsPerOrigin?: number;
  /** Replaces the shared agent (tests hand in a MockAgent or their own). */
  dispatcher?: Dispatcher;
}

const MAX_REDIRECTIONS = 5;

/** The host of a URL, which is safe to show; its path and query may hold a token. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(invalid URL)";
  }
}

/**
 * One dispatcher for every feed of a run and of later warm runs: keep-alive connections, bounded
 * per origin, header and body timeouts, redirects (at most five) and compressed bodies.
 */
export function createFeedDispatcher(options: FeedFetcherOptions): Dispatcher {
  const agent = options.dispatcher ?? new Agent({
    connections: options.connectionsPerOrigin ?? 8,
    keepAliveTimeout: 30_000,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: { timeout: options.timeoutMs },
  });
  return agent.compose(
    interceptors.retry({
      maxRetries: Math.max(0, options.attempts - 1),
      minTimeout: options.retryDelayMs ?? 500,
      maxTimeout: Math.max(options.retryDelayMs ?? 500, 10_000),
      timeoutFactor: 2,
      statusCodes: [429, 500, 502, 503, 504],
      methods: ["GET"],
    }),
    interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }),
    interceptors.decompress(),
  );
}

function describeFailure(error: unknown, feed: FeedSource, options: FeedFetcherOptions): FeedFetchError {
  const host = hostOf(feed.url);
  const attempts = options.attempts;
  if (error instanceof FeedFetchError) return error;
  if (error instanceof errors.RequestRetryError) {
    return new FeedFetchError(feed.id, `HTTP ${error.statusCode} from ${host} after ${attempts} attempts`, {
      cause: error,
      transient: true,
      status: error.statusCode,
    });
  }
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  const seconds = Math.round(options.timeoutMs / 1000);
  const reasons: Record<string, string> = {
    UND_ERR_HEADERS_TIMEOUT: `${host} sent no response within ${seconds} s`,
    UND_ERR_BODY_TIMEOUT: `${host} stopped sending the calendar for ${seconds} s`,
    UND_ERR_CONNECT_TIMEOUT: `could not connect to ${host} within ${seconds} s`,
    ENOTFOUND: `host ${host} does not resolve; check the feed URL`,
    EAI_AGAIN: `host ${host} could not be resolved (DNS failure); check the feed URL`,
    ECONNREFUSED: `${host} refused the connection`,
    ECONNRESET: `${host} closed the connection`,
  };
  const reason =
    (code && reasons[code]) ??
    (error instanceof errors.MaxRedirectsError || /redirect/i.test(String((error as Error).message))
      ? `${host} redirected more than ${MAX_REDIRECTIONS} times`
      : `request to ${host} failed (${code ?? (error as Error).name})`);
  return new FeedFetchError(feed.id, reason, { cause: error, transient: true });
}

/** Builds the feed fetcher on a shared undici dispatcher. */
export function createFeedFetcher(options: FeedFetcherOptions): FeedFetcher {
  const dispatcher = createFeedDispatcher(options);
  return {
    async fetchFeed(feed, signal) {
      try {
        const response = await request(feed.url, {
          method: "GET",
          dispatcher,
          ...(signal ? { signal } : {}),
          headers: {
            accept: "text/calendar, text/plain;q=0.5, */*;q=0.1",
            "accept-encoding": "gzip, deflate, br",
            "user-agent": "ical-slack-reminder",
          },
        });
        const host = hostOf(feed.url);
        if (response.statusCode >= 400) {
          await response.body.dump();
          const hint =
            response.statusCode === 401 || response.statusCode === 403
              ? "; the feed is private: use its secret iCal address"
              : response.statusCode === 404
                ? "; the calendar moved or was deleted: update the feed URL"
                : "";
          throw new FeedFetchError(feed.id, `HTTP ${response.statusCode} from ${host}${hint}`, {
            status: response.statusCode,
            transient: response.statusCode >= 500 || response.statusCode === 429,
          });
        }
        const declared = Number(response.headers["content-length"] ?? Number.NaN);
        if (declared > options.maxBytes) {
          await response.body.destroy();
          throw tooLarge(feed, options.maxBytes);
        }
        const chunks: Buffer[] = [];
        let bytes = 0;
        for await (const chunk of response.body) {
          bytes += (chunk as Buffer).length;
          if (bytes > options.maxBytes) {
            response.body.destroy();
            throw tooLarge(feed, options.maxBytes);
          }
          chunks.push(chunk as Buffer);
        }
        return { text: Buffer.concat(chunks).toString("utf8"), bytes, status: response.statusCode };
      } catch (error) {
        throw describeFailure(error, feed, options);
      }
    },
  };
}

function tooLarge(feed: FeedSource, maxBytes: number): FeedFetchError {
  const mb = (maxBytes / 1024 / 1024).toFixed(1);
  return new FeedFetchError(
    feed.id,
    `calendar from ${hostOf(feed.url)} is larger than the ${mb} MB limit; raise fetch.maxBytes or trim the feed`,
  );
}

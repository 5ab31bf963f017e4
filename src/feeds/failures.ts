/**
 * Why a feed could not be fetched, in words a user can act on. Feeds are named by id and host:
 * a feed URL's path and query often hold a token.
 */

import { FeedFetchError } from "../errors.ts";

/** The host of a URL, which is safe to show; its path and query may hold a token. */
export function hostOf(url: string | URL): string {
  try {
    return new URL(url).host;
  } catch {
    return "(invalid URL)";
  }
}

/** A duration as people read it: `0.5 s`, `20 s`. */
export function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

const HINTS: Record<number, string> = {
  401: "; the feed is private: use its secret iCal address",
  403: "; the feed is private: use its secret iCal address",
  404: "; the calendar moved or was deleted: update the feed URL",
  410: "; the calendar was deleted: remove or replace the feed",
};

/** What to do about an HTTP error status, as a suffix of the message. */
export function statusHint(status: number): string {
  return HINTS[status] ?? "";
}

/** The system or undici error code of a failed request. */
export function errorCode(error: unknown): string | undefined {
  const e = error as { code?: string; cause?: { code?: string } } | undefined;
  return e?.code ?? e?.cause?.code;
}

/** A request that failed below HTTP: DNS, connection, TLS, timeouts. */
export function networkFailure(feedId: string, host: string, error: unknown, timeoutMs: number, attempts = 1): FeedFetchError {
  const code = errorCode(error);
  const reasons: Record<string, string> = {
    UND_ERR_HEADERS_TIMEOUT: `${host} sent no response within ${seconds(timeoutMs)}; the server is down or overloaded`,
    UND_ERR_BODY_TIMEOUT: `${host} stopped sending the calendar for ${seconds(timeoutMs)}`,
    UND_ERR_CONNECT_TIMEOUT: `could not connect to ${host} within ${seconds(timeoutMs)}`,
    ENOTFOUND: `host ${host} does not resolve; check the feed URL`,
    EAI_AGAIN: `host ${host} could not be resolved (DNS failure); it will be tried again next run`,
    ECONNREFUSED: `${host} refused the connection; the server is down or the port is wrong`,
    ECONNRESET: `${host} closed the connection`,
    UND_ERR_SOCKET: `${host} closed the connection`,
    DEPTH_ZERO_SELF_SIGNED_CERT: `${host} presented a self-signed TLS certificate`,
    CERT_HAS_EXPIRED: `${host} presented an expired TLS certificate`,
    ERR_TLS_CERT_ALTNAME_INVALID: `${host} presented a TLS certificate for another name`,
  };
  // zlib's and brotli's codes: the body is not compressed as its Content-Encoding says.
  const undecodable = code !== undefined && (/^Z_/.test(code) || /^ERR__ERROR_FORMAT|BROTLI/.test(code));
  const reason = undecodable
    ? `${host} sent a body that is not compressed as its Content-Encoding header says (${code}); the server is misconfigured: tell its owner`
    : ((code && Object.hasOwn(reasons, code) ? reasons[code] : undefined) ??
      `request to ${host} failed (${code ?? (error as Error).name})`);
  const tries = attempts > 1 ? ` (after ${attempts} attempts)` : "";
  return new FeedFetchError(feedId, `${reason}${tries}`, { cause: error, transient: code !== "ENOTFOUND" && !undecodable });
}

/** The calendar is over `fetch.maxBytes`. */
export function tooLarge(feedId: string, host: string, maxBytes: number): FeedFetchError {
  const limit =
    maxBytes >= 1024 * 1024
      ? `${Math.round((maxBytes / 1024 / 1024) * 10) / 10} MB`
      : maxBytes >= 1024
        ? `${Math.round((maxBytes / 1024) * 10) / 10} KB`
        : `${maxBytes} bytes`;
  return new FeedFetchError(feedId, `calendar from ${host} is larger than the ${limit} limit; raise fetch.maxBytes or trim the feed`);
}

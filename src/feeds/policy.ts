/**
 * The pure rules of fetching a feed: which answers are worth another try, how long to wait before
 * it, and which redirects to follow. No I/O, no clock: the current time comes in as an argument.
 */
import { retryAfterMs } from "../http/retry-after.ts";

/** Most redirects followed for one feed; the sixth is refused as a loop. */
export const MAX_REDIRECTS = 5;

/** Answers worth another try: rate limiting and the server errors that are usually momentary. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/**
 * Network failures worth another try. A host that does not resolve (ENOTFOUND) is not one: the URL
 * is wrong, and trying again only burns the run's time. A server that never answers is not one
 * either, or a dead host would cost `attempts` times the timeout.
 */
export function isRetryableNetworkError(code: string | undefined): boolean {
  return code === "ECONNRESET" || code === "ECONNREFUSED" || code === "EPIPE" || code === "UND_ERR_SOCKET" || code === "EAI_AGAIN";
}

/** Redirect statuses (RFC 9110 §15.4) that carry a Location to follow. */
export function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/**
 * Milliseconds to wait before try number `attempt + 1`. A `Retry-After` header wins over our own
 * backoff (RFC 9110 §10.2.3: the server says when it can take the request again; asking sooner is
 * what got us a 429); it holds either seconds or an HTTP date. Otherwise the wait doubles from
 * `baseMs`.
 */
export function retryDelayMs(attempt: number, retryAfter: string | undefined, now: number, baseMs: number): number {
  return retryAfterMs(retryAfter, now) ?? baseMs * 2 ** (attempt - 1);
}

/** Where a redirect leads, or why it is not followed. */
export type RedirectDecision = { follow: URL } | { refuse: string };

/**
 * Decides whether to follow a redirect from `from` to `location`. http→https is followed (an
 * upgrade); https→http is refused: it would send the feed's secret path in clear text and accept
 * a calendar anyone on the way could have altered.
 */
export function redirectTarget(from: URL, location: string | undefined): RedirectDecision {
  if (!location) return { refuse: "answered a redirect without a Location" };
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    return { refuse: "redirected to an address that is not a URL" };
  }
  if (next.protocol !== "http:" && next.protocol !== "https:") {
    return { refuse: `redirected to a ${next.protocol} address, which is not a web address` };
  }
  if (from.protocol === "https:" && next.protocol === "http:") {
    return {
      refuse: `redirected from https to plain http (${next.host}); refused because it would expose the feed's secret address. Use the https address of the calendar`,
    };
  }
  return { follow: next };
}

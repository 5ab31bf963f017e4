import type { SlackDeliveryError } from "../errors.ts";

/** How a post to Slack is retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The backoff before the second attempt is drawn from `[0, baseMs)`, then doubles. */
  baseMs: number;
  /** The backoff never exceeds this (Retry-After may). */
  capMs: number;
}

/** Four attempts, backing off from 0.5 s to at most 8 s between them. */
export const defaultRetryPolicy: RetryPolicy = { attempts: 4, baseMs: 500, capMs: 8_000 };

/**
 * How long to wait before attempt `attempt + 1` after `error` ended attempt `attempt`, or
 * `undefined` when trying again cannot help (a permanent error, or no attempts left).
 *
 * Retry-After wins over the computed backoff: Slack says when the webhook will take posts
 * again, and posting earlier only earns another 429
 * (https://api.slack.com/apis/rate-limits#headers). Otherwise "full jitter" — a uniformly random
 * wait below the exponential bound — so that runs that failed together do not retry together
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 */
export function retryDelay(policy: RetryPolicy, attempt: number, error: SlackDeliveryError, random: () => number): number | undefined {
  // A post whose answer never came may have been posted: another attempt could post it twice.
  if (!error.transient || error.outcomeUnknown || attempt >= policy.attempts) return undefined;
  if (error.retryAfterSeconds !== undefined) return Math.ceil(error.retryAfterSeconds * 1000);
  const bound = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.floor(random() * bound);
}

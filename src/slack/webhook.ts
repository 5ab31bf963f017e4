import { IncomingWebhook, IncomingWebhookHTTPError, IncomingWebhookRequestError } from "@slack/webhook";
import { SlackDeliveryError } from "../errors.ts";
import { retryAfterMs } from "../http/retry-after.ts";
import { POST_TIMEOUT_MS } from "./delivery.ts";
import { webhookFetch } from "./fetch.ts";
import type { SlackMessage } from "./message.ts";

/** Posts messages to named webhooks. The strategies see only this. */
export interface SlackPoster {
  /**
   * Makes one attempt; the delivery layer decides about retries and passes the attempt's
   * `timeoutMs` (the run's post timeout, shortened when little of the run's time is left).
   *
   * @throws SlackDeliveryError naming the webhook, never its URL; `transient` when trying again may help.
   */
  post(webhook: string, message: SlackMessage, options?: { timeoutMs?: number }): Promise<void>;
}

export interface SlackPosterOptions {
  /** Webhook name → URL. */
  webhooks: Readonly<Record<string, string>>;
  /**
   * A ceiling on every attempt's `timeoutMs` (tests, benchmarks). Without one an attempt waits as
   * long as it is told to, or `POST_TIMEOUT_MS` when it is told nothing.
   */
  timeoutMs?: number;
}

/** What Slack's error bodies mean, and what the user can do about them. */
const PERMANENT_HINTS: Record<string, string> = {
  invalid_payload: "the message was rejected as malformed",
  action_prohibited: "an admin restricted this webhook",
  no_service: "the webhook was removed or revoked; create a new one and update the configuration",
  no_team: "the Slack workspace no longer exists",
  channel_not_found: "its channel no longer exists; create a new webhook",
  channel_is_archived: "its channel is archived; unarchive it or create a new webhook",
  team_disabled: "the Slack workspace is disabled",
  invalid_token: "the webhook URL is wrong; copy it again from Slack",
};

/**
 * Posts with @slack/webhook's `IncomingWebhook` over undici (`webhookFetch`: the same undici as the
 * feeds, rather than the second copy inside Node.js: one HTTP client in memory). Its own retries
 * are off (it would retry 5xx but fail 429 at once): the delivery layer above decides what to retry
 * and when, so the two layers never multiply their attempts.
 */
export function createSlackPoster(options: SlackPosterOptions): SlackPoster {
  return {
    async post(webhook, message, postOptions = {}) {
      const url = options.webhooks[webhook];
      if (url === undefined) {
        throw new SlackDeliveryError(webhook, `webhook "${webhook}" is not configured`);
      }
      let retryAfter: string | null = null;
      const timeoutMs = Math.max(1, Math.min(options.timeoutMs ?? Infinity, postOptions.timeoutMs ?? POST_TIMEOUT_MS));
      const client = new IncomingWebhook(url, {
        timeout: timeoutMs,
        retryConfig: { retries: 0 },
        fetch: async (input, init) => {
          const response = await webhookFetch(input, init);
          retryAfter = response.headers.get("retry-after");
          return response;
        },
      });
      try {
        await client.send({ ...message, unfurl_links: false, unfurl_media: false });
      } catch (error) {
        throw toDeliveryError(webhook, error, retryAfter, timeoutMs);
      }
    },
  };
}

function toDeliveryError(webhook: string, error: unknown, retryAfter: string | null, timeoutMs: number): SlackDeliveryError {
  if (error instanceof IncomingWebhookHTTPError) {
    const status = error.statusCode;
    const body = error.body.trim().slice(0, 100);
    if (status === 429) {
      const waitMs = retryAfterMs(retryAfter, Date.now());
      const wait = waitMs === undefined ? undefined : waitMs / 1000;
      return new SlackDeliveryError(webhook, `Slack rate-limited webhook "${webhook}" (HTTP 429)`, {
        cause: error,
        status,
        transient: true,
        ...(wait === undefined ? {} : { retryAfterSeconds: wait }),
      });
    }
    if (status >= 500) {
      return new SlackDeliveryError(webhook, `Slack answered HTTP ${status} for webhook "${webhook}"`, {
        cause: error,
        status,
        transient: true,
      });
    }
    // Slack answers with an error code (`no_service`); a proxy or a moved URL answers with a page.
    const code = /^[a-z_]+$/.test(body) ? body : undefined;
    const hint =
      (code && PERMANENT_HINTS[code]) ??
      (status === 404 || status === 410
        ? "Slack does not know this webhook; create a new one and update the configuration"
        : "Slack refused the message");
    return new SlackDeliveryError(webhook, `webhook "${webhook}": HTTP ${status}${code ? ` ${code}` : ""}: ${hint}`, {
      cause: error,
      status,
    });
  }
  const original = error instanceof IncomingWebhookRequestError ? error.original : (error as Error);
  const timedOut = original?.name === "TimeoutError" || original?.name === "AbortError";
  const code = (original?.cause as { code?: string } | undefined)?.code;
  // Answers and refusals that certainly posted nothing, and that no retry changes: the URL is wrong.
  const refusal = REFUSED.get((original?.cause as Error | undefined)?.message ?? "");
  if (!timedOut && refusal) return new SlackDeliveryError(webhook, `webhook "${webhook}": ${refusal}`, { cause: error });
  if (timedOut || !NEVER_SENT.has(code ?? "")) {
    // The request may be in Slack's hands: sending it again could post the message twice.
    const reason = timedOut
      ? `Slack did not answer within ${(timeoutMs / 1000).toFixed(timeoutMs < 1000 ? 2 : 0)} s`
      : `the connection to Slack was lost before its answer (${code ?? original?.name ?? "network error"})`;
    return new SlackDeliveryError(webhook, `webhook "${webhook}": ${reason}; the message may have been posted, so it is not sent again`, {
      cause: error,
      transient: true,
      outcomeUnknown: true,
    });
  }
  return new SlackDeliveryError(webhook, `webhook "${webhook}": could not reach Slack (${code})`, {
    cause: error,
    transient: true,
  });
}

/** What `webhookFetch` refuses or is answered (`cause.message`), in the words of the fix. */
const REFUSED = new Map([
  [
    "unexpected redirect",
    "Slack answered with a redirect, which its webhooks never do: the URL is probably wrong, or leads to a proxy or a sign-in page; copy it again from Slack",
  ],
  ["credentials", "its URL holds a user name or password, which Slack's webhook URLs never do; copy it again from Slack"],
  ["bad port", "its URL names a port HTTP clients never connect to; copy it again from Slack"],
]);

/**
 * Failures that happen before a request can leave: no address, no route, no connection. Only after
 * one of these is a message certainly not posted; any other failure may come after Slack read it.
 */
const NEVER_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_HAS_EXPIRED",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
]);

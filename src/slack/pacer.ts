/**
 * Slack accepts about one message per second per incoming webhook, with short bursts allowed
 * (https://api.slack.com/apis/rate-limits#incoming-webhooks). A pacer keeps one webhook within
 * that: at most `burst` posts in any `burst` seconds — so never more than `burst` in any second,
 * and one a second on average — and nothing before a time Slack named with Retry-After.
 *
 * Pure bookkeeping: the caller reads its own clock and does its own waiting.
 */
export class Pacer {
  readonly #burst: number;
  readonly #intervalMs: number;
  /** Start times of the latest posts, oldest first, at most `burst` of them. */
  readonly #recent: number[] = [];
  #notBefore = 0;

  constructor(options: { burst: number; intervalMs: number }) {
    this.#burst = Math.max(1, options.burst);
    this.#intervalMs = options.intervalMs;
  }

  /** Milliseconds to wait from `now` before the next post may start; 0 when it may start now. */
  waitMs(now: number): number {
    const paused = this.#notBefore - now;
    const oldest = this.#recent.length >= this.#burst ? (this.#recent[0] as number) : undefined;
    const paced = oldest === undefined ? 0 : oldest + this.#burst * this.#intervalMs - now;
    return Math.max(0, paused, paced);
  }

  /** Records that a post started at `now`. */
  posted(now: number): void {
    this.#recent.push(now);
    if (this.#recent.length > this.#burst) this.#recent.shift();
  }

  /** Holds every post until `at` (a 429's Retry-After). */
  pauseUntil(at: number): void {
    this.#notBefore = Math.max(this.#notBefore, at);
  }
}

/**
 * Waits, on the caller's clock, until `pacer` lets the next post start; false (without waiting)
 * as soon as a wait would not end within `usableMs()`.
 */
export async function waitForTurn(
  pacer: Pacer,
  clock: { now: () => number; sleep: (ms: number) => Promise<void> },
  usableMs: () => number,
): Promise<boolean> {
  for (;;) {
    const wait = pacer.waitMs(clock.now());
    if (wait === 0) return true;
    if (wait >= usableMs()) return false;
    await clock.sleep(wait);
  }
}

/** Slack's pace for one incoming webhook: 2 posts in any 2 seconds. */
export const DEFAULT_PACE = { burst: 2, intervalMs: 1_000 };

/**
 * The pacer of each webhook for a whole run: reminders, digests and notices posted to one webhook
 * share its pace, and a Retry-After one of them gets holds the others too.
 */
export class WebhookPacers {
  readonly #pace: { burst: number; intervalMs: number };
  readonly #pacers = new Map<string, Pacer>();

  constructor(pace = DEFAULT_PACE) {
    this.#pace = pace;
  }

  of(webhook: string): Pacer {
    let pacer = this.#pacers.get(webhook);
    if (!pacer) {
      pacer = new Pacer(this.#pace);
      this.#pacers.set(webhook, pacer);
    }
    return pacer;
  }
}
